import { verify as verifySignature } from "node:crypto";
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
} from "./access-token.js";
import { decodeCompactJwt } from "./compact-jwt.js";
import type { KeySource } from "./key-ring.js";
import { createKeyRing } from "./key-ring.js";
import type { Principal, Role } from "./principal.js";
import { ROLES } from "./principal.js";
import type { TokenRejectionReason } from "./token-rejection.js";
import { tokenRejected } from "./token-rejection.js";

/** Checks access tokens locally against auth's published keys. */
export interface TokenVerifier {
  /**
   * Returns whose token it is, or throws ConnectError(Unauthenticated) whose
   * reason `tokenRejectionReason(err)` tells; Unavailable when the keys
   * cannot be fetched at all.
   */
  verify(accessToken: string): Promise<Principal>;
}

/** Options of createTokenVerifier. */
export interface TokenVerifierOptions {
  /** The JWKS; called at first use, on an unknown kid (rate-limited) and when keys age. */
  readonly keySource: KeySource;
  /** Required `iss`; default "microtodo-auth". */
  readonly issuer?: string;
  /** Required `aud`; default "microtodo". */
  readonly audience?: string;
  /** Allowed clock skew for exp/nbf; default 5000. */
  readonly clockToleranceMs?: number;
  /** Least time between fetches caused by unknown kids; default 5000. */
  readonly refetchMinIntervalMs?: number;
  /** Age after which keys are refreshed in the background; default 600000 (10 min). */
  readonly maxKeyAgeMs?: number;
  /** Verified tokens remembered until they expire; default 10000, 0 disables. */
  readonly cacheMaxEntries?: number;
  /** Longer tokens are refused before any parsing; default 8192. */
  readonly maxTokenBytes?: number;
  /** Clock in ms since the epoch; default Date.now. */
  readonly now?: () => number;
}

interface CachedToken {
  readonly principal: Principal;
  readonly kid: string;
}

/**
 * Creates a verifier that accepts only EdDSA access tokens from auth. A
 * token that verified once is remembered (by its exact text, until it
 * expires) so a client's repeated calls cost one map lookup instead of an
 * Ed25519 verification; entries signed by a key that leaves the JWKS are
 * dropped.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const toleranceMs = options.clockToleranceMs ?? 5_000;
  const cacheMaxEntries = options.cacheMaxEntries ?? 10_000;
  const maxTokenBytes = options.maxTokenBytes ?? 8_192;
  const expected = {
    issuer: options.issuer ?? DEFAULT_TOKEN_ISSUER,
    audience: options.audience ?? DEFAULT_TOKEN_AUDIENCE,
  };
  const cache = new Map<string, CachedToken>();
  const ring = createKeyRing({
    keySource: options.keySource,
    refetchMinIntervalMs: options.refetchMinIntervalMs ?? 5_000,
    maxKeyAgeMs: options.maxKeyAgeMs ?? 600_000,
    now,
    onKeysRemoved: (kids) => {
      for (const [token, entry] of cache)
        if (kids.includes(entry.kid)) cache.delete(token);
    },
  });

  async function verifyUncached(token: string): Promise<CachedToken> {
    const jwt = token.length <= maxTokenBytes ? decodeCompactJwt(token) : undefined;
    if (!jwt) throw tokenRejected("malformed");
    const { header } = jwt;
    if (header.alg !== ACCESS_TOKEN_ALGORITHM)
      throw tokenRejected("unsupported_algorithm");
    if (header.typ !== ACCESS_TOKEN_TYPE || header.crit !== undefined) {
      throw tokenRejected("malformed");
    }
    const kid = typeof header.kid === "string" ? header.kid : "";
    const key = kid ? await ring.find(kid) : undefined;
    if (!key) throw tokenRejected("unknown_key");
    const validSignature =
      jwt.signature.length === 64 &&
      verifySignature(null, jwt.signingInput, key, jwt.signature);
    if (!validSignature) throw tokenRejected("bad_signature");
    const principal = principalFromClaims(jwt.payload, expected, now(), toleranceMs);
    if (typeof principal === "string") throw tokenRejected(principal);
    return { principal, kid };
  }

  function remember(token: string, entry: CachedToken): void {
    if (cacheMaxEntries <= 0) return;
    if (cache.size >= cacheMaxEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(token, entry);
  }

  return {
    async verify(accessToken) {
      const cached = cache.get(accessToken);
      if (cached) {
        if (now() < cached.principal.expiresAtMs + toleranceMs) return cached.principal;
        cache.delete(accessToken);
        throw tokenRejected("expired");
      }
      const entry = await verifyUncached(accessToken);
      remember(accessToken, entry);
      return entry.principal;
    },
  };
}

/** Checks the registered claims and builds the Principal, or names what is wrong. */
function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  expected: { readonly issuer: string; readonly audience: string },
  nowMs: number,
  toleranceMs: number,
): Principal | TokenRejectionReason {
  const { iss, aud, exp, nbf } = claims;
  if (iss !== expected.issuer) return "wrong_issuer";
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expected.audience)) return "wrong_audience";
  if (typeof exp !== "number" || !Number.isFinite(exp)) return "malformed";
  if (nowMs >= exp * 1000 + toleranceMs) return "expired";
  const notBeforeMs =
    nbf === undefined ? 0 : typeof nbf === "number" ? nbf * 1000 : Number.NaN;
  if (!(nowMs + toleranceMs >= notBeforeMs)) return "not_yet_valid";
  return identityFromClaims(claims, exp * 1000) ?? "malformed";
}

/** sub, preferred_username, roles, jti and sid, when they have the right types. */
function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  expiresAtMs: number,
): Principal | undefined {
  const { sub, jti, sid, roles, preferred_username: username } = claims;
  const valid =
    typeof sub === "string" &&
    sub !== "" &&
    typeof username === "string" &&
    typeof jti === "string" &&
    Array.isArray(roles) &&
    (sid === undefined || typeof sid === "string");
  if (!valid) return undefined;
  return Object.freeze({
    userId: sub,
    username,
    roles: Object.freeze(ROLES.filter((role: Role) => roles.includes(role))),
    tokenId: jti,
    expiresAtMs,
    ...(sid === undefined ? {} : { sessionId: sid }),
  });
}
