import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Role } from "./principal.js";

/** The only JWS algorithm auth signs with and verifiers accept. */
export const ACCESS_TOKEN_ALGORITHM = "EdDSA";
/** The `typ` header of access tokens (RFC 9068), so no other JWT passes for one. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
/** Default `iss` of access tokens. */
export const DEFAULT_TOKEN_ISSUER = "microtodo-auth";
/** Default `aud` of access tokens. */
export const DEFAULT_TOKEN_AUDIENCE = "microtodo";
/** Default access-token lifetime: 15 minutes. */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 15 * 60_000;

/** The private half of a signing key, ready for signing. */
export interface AccessTokenSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

/** What goes into an access token. */
export interface AccessTokenInput {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** The refresh-token family; lets auth's Authenticate see a logout. */
  readonly sessionId?: string;
  /** Lifetime; default 15 minutes. */
  readonly ttlMs?: number;
  /** Issue time, ms since the epoch; default now. */
  readonly nowMs?: number;
  /** Default "microtodo-auth". */
  readonly issuer?: string;
  /** Default "microtodo". */
  readonly audience?: string;
}

/** A signed access token and what a client needs to know about it. */
export interface SignedAccessToken {
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAtMs: number;
}

/**
 * Signs an access token: EdDSA (Ed25519), `kid` and `typ` headers, claims
 * iss, aud, sub, preferred_username, roles, iat, nbf, exp, jti and `sid`.
 * Auth issues tokens with it; other services' tests may mint their own.
 */
export async function signAccessToken(
  key: AccessTokenSigningKey,
  input: AccessTokenInput,
): Promise<SignedAccessToken> {
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const ttlSeconds = Math.max(
    1,
    Math.floor((input.ttlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS) / 1000),
  );
  const tokenId = randomUUID();
  const claims: Record<string, unknown> = {
    preferred_username: input.username,
    roles: [...input.roles],
  };
  if (input.sessionId !== undefined) claims.sid = input.sessionId;
  const token = await new SignJWT(claims)
    .setProtectedHeader({
      alg: ACCESS_TOKEN_ALGORITHM,
      typ: ACCESS_TOKEN_TYPE,
      kid: key.kid,
    })
    .setIssuer(input.issuer ?? DEFAULT_TOKEN_ISSUER)
    .setAudience(input.audience ?? DEFAULT_TOKEN_AUDIENCE)
    .setSubject(input.userId)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .setJti(tokenId)
    .sign(key.privateKey);
  return { token, tokenId, expiresAtMs: (nowSeconds + ttlSeconds) * 1000 };
}
