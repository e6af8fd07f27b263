import type { KeyObject } from "node:crypto";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import type { JWK } from "jose";
import { calculateJwkThumbprint } from "jose";
import { ACCESS_TOKEN_ALGORITHM } from "./access-token.js";

/** A freshly generated Ed25519 key pair as JWKs, named by its thumbprint. */
export interface GeneratedSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  /** Public JWK with kid, alg "EdDSA" and use "sig": safe to publish. */
  readonly publicJwk: JWK;
  /** Private JWK (has `d`): keep secret. */
  readonly privateJwk: JWK;
}

/** Generates an Ed25519 signing key. */
export async function generateSigningKey(): Promise<GeneratedSigningKey> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicPart = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(publicPart, "sha256");
  const labels = { kid, alg: ACCESS_TOKEN_ALGORITHM, use: "sig" };
  return {
    kid,
    publicJwk: { ...publicPart, ...labels },
    privateJwk: { ...(privateKey.export({ format: "jwk" }) as JWK), ...labels },
  };
}

/** Turns a private Ed25519 JWK into a key object for signAccessToken. */
export function importPrivateSigningKey(jwk: JWK): KeyObject {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.d !== "string") {
    throw new Error(
      "signing key: expected a private Ed25519 JWK (kty OKP, crv Ed25519, d)",
    );
  }
  return createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
    format: "jwk",
  });
}

/**
 * Turns a public Ed25519 JWK into a key object, or undefined when the JWK is
 * not one we would ever sign with (other kty/crv/alg/use).
 */
export function importPublicVerificationKey(jwk: JWK): KeyObject | undefined {
  const usable =
    jwk.kty === "OKP" &&
    jwk.crv === "Ed25519" &&
    typeof jwk.x === "string" &&
    (jwk.alg === undefined ||
      jwk.alg === ACCESS_TOKEN_ALGORITHM ||
      jwk.alg === "Ed25519") &&
    (jwk.use === undefined || jwk.use === "sig");
  if (!usable) return undefined;
  try {
    // Only the public members: a JWK that leaked `d` must not become a private key here.
    return createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: jwk.x },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}
