import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const SEALED_PREFIX = "sealed:v1:";

/** Encrypts private signing keys before they reach the store, when a secret is set. */
export interface KeySealer {
  /** Whether new keys are encrypted. */
  readonly sealing: boolean;
  seal(kid: string, privateJwkJson: string): string;
  /** The private JWK JSON; throws when it is sealed and no (or another) secret is set. */
  open(kid: string, stored: string): string;
}

/**
 * With a secret, private JWKs are stored as AES-256-GCM ciphertext under a
 * key derived from the secret (HKDF-SHA256), bound to their kid; without
 * one they are stored as plain JSON and the store's own protection (file
 * mode, Redis ACLs) is all there is. Plain keys stay readable after a
 * secret is added.
 */
export function createKeySealer(secret: string | undefined): KeySealer {
  const key = secret
    ? Buffer.from(hkdfSync("sha256", secret, "microtodo-auth", "signing-key-sealing", 32))
    : undefined;
  return {
    sealing: key !== undefined,
    seal(kid, json) {
      if (!key) return json;
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(kid));
      const sealed = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
      const parts = [iv, sealed, cipher.getAuthTag()].map((b) => b.toString("base64url"));
      return SEALED_PREFIX + parts.join(":");
    },
    open(kid, stored) {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      if (!key) {
        throw new Error(
          `signing key ${kid} is encrypted: set MICROTODO_AUTH_KEY_SECRET to the secret it was sealed with`,
        );
      }
      const [iv, sealed, tag] = stored
        .slice(SEALED_PREFIX.length)
        .split(":")
        .map((part) => Buffer.from(part, "base64url"));
      if (!iv || !sealed || !tag)
        throw new Error(`signing key ${kid}: damaged ciphertext`);
      const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(kid));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(sealed), decipher.final()]).toString(
          "utf8",
        );
      } catch {
        throw new Error(
          `signing key ${kid}: cannot decrypt (wrong MICROTODO_AUTH_KEY_SECRET?)`,
        );
      }
    },
  };
}
