import { randomUUID } from "node:crypto";
import { createTokenVerifier, type TokenVerifier } from "@microtodo/kit";
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import type { DirectoryUser } from "../users/user-directory.js";

/** A user tests act as, with a real access token. */
export interface TestUser extends DirectoryUser {
  readonly token: string;
}

/** Mints real EdDSA access tokens the way auth does; the kit's verifier checks them. */
export interface TestIssuer {
  readonly jwks: JSONWebKeySet;
  readonly verifier: TokenVerifier;
  /** A new user (random id) and a token for them. */
  user(username: string, options?: { ttlSeconds?: number }): Promise<TestUser>;
}

/** A test issuer with a fresh Ed25519 key. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const kid = randomUUID();
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }],
  };
  const verifier = createTokenVerifier({ keySource: async () => jwks });
  return {
    jwks,
    verifier,
    async user(username, options) {
      const id = randomUUID();
      const token = await new SignJWT({ preferred_username: username, roles: ["user"] })
        .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid })
        .setIssuer("microtodo-auth")
        .setAudience("microtodo")
        .setSubject(id)
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime(`${options?.ttlSeconds ?? 900}s`)
        .setJti(randomUUID())
        .sign(privateKey);
      return { id, username, token };
    },
  };
}
