import { randomUUID } from "node:crypto";
import type { Principal, TokenVerifier } from "@microtodo/kit";
import { createTokenVerifier, signAccessToken, tokenRejected } from "@microtodo/kit";
import type { Logger } from "pino";
import type { AuthStore, UserRecord } from "../store/auth-store.js";
import { hashRefreshToken, newRefreshToken } from "../tokens/refresh-token.js";
import type { SigningKeys } from "../tokens/signing-keys.js";
import type { AuthSettings } from "./auth-core.js";
import { AuthError } from "./auth-error.js";

/** What the session functions need. */
export interface SessionDeps {
  readonly store: AuthStore;
  readonly signingKeys: SigningKeys;
  readonly settings: AuthSettings;
  readonly logger: Logger;
  readonly now: () => number;
}

/** What Login and Refresh hand out. */
export interface TokenPair {
  readonly accessToken: string;
  readonly accessTokenExpiresAtMs: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAtMs: number;
}

/** Sessions: one refresh-token family per login, rotated on every refresh. */
export interface Sessions {
  /** Starts a family for a user who just logged in. */
  start(user: UserRecord): Promise<TokenPair>;
  refresh(refreshToken: string): Promise<TokenPair>;
  logout(refreshToken: string): Promise<void>;
}

/** Issuing, refreshing and ending sessions (refresh-token families). */
export function createSessions(deps: SessionDeps): Sessions {
  const { store, signingKeys, settings, logger, now } = deps;

  async function pair(user: UserRecord, familyId: string, refresh: RefreshIssue) {
    const signed = await signAccessToken(await signingKeys.signer(), {
      userId: user.id,
      username: user.username,
      roles: user.roles,
      sessionId: familyId,
      ttlMs: settings.accessTokenTtlMs,
      nowMs: now(),
      issuer: settings.issuer,
      audience: settings.audience,
    });
    return {
      accessToken: signed.token,
      accessTokenExpiresAtMs: signed.expiresAtMs,
      refreshToken: refresh.token,
      refreshTokenExpiresAtMs: refresh.expiresAtMs,
    };
  }

  async function start(user: UserRecord): Promise<TokenPair> {
    const familyId = randomUUID();
    const { token, hash } = newRefreshToken();
    const createdAtMs = now();
    const expiresAtMs = createdAtMs + settings.refreshTokenTtlMs;
    await store.createRefreshFamily({
      familyId,
      userId: user.id,
      tokenHash: hash,
      createdAtMs,
      expiresAtMs,
    });
    return pair(user, familyId, { token, expiresAtMs });
  }

  async function refresh(refreshToken: string): Promise<TokenPair> {
    const hash = hashRefreshToken(refreshToken);
    if (!hash) throw refreshRefused("refresh_token: invalid");
    const next = newRefreshToken();
    const outcome = await store.rotateRefreshToken(hash, next.hash, now());
    switch (outcome.kind) {
      case "rotated": {
        const user = await store.findUserById(outcome.userId);
        if (!user) throw refreshRefused("refresh_token: invalid");
        return pair(user, outcome.familyId, {
          token: next.token,
          expiresAtMs: outcome.expiresAtMs,
        });
      }
      case "reused":
        logger.warn(
          { userId: outcome.userId, familyId: outcome.familyId },
          "refresh token reused; session revoked",
        );
        throw refreshRefused(
          "refresh_token: already used; the session is revoked, log in again",
        );
      case "revoked":
        throw refreshRefused("refresh_token: revoked; log in again");
      case "expired":
        throw refreshRefused("refresh_token: expired; log in again");
      case "unknown":
        throw refreshRefused("refresh_token: invalid");
    }
  }

  return {
    start,
    refresh,
    async logout(refreshToken: string) {
      if (refreshToken === "") {
        throw new AuthError("invalid_argument", "refresh_token: required");
      }
      // Like OAuth token revocation (RFC 7009), an unknown token is not an error.
      const hash = hashRefreshToken(refreshToken);
      if (hash) await store.revokeRefreshFamily(hash, now());
    },
  };
}

interface RefreshIssue {
  readonly token: string;
  readonly expiresAtMs: number;
}

function refreshRefused(message: string): AuthError {
  return new AuthError("unauthenticated", message);
}

/**
 * The kit verifier over auth's own keys, plus a session check: a token
 * whose refresh family was revoked (logout, reuse) is refused here, while
 * other services accept it until it expires.
 */
export function createSessionVerifier(deps: SessionDeps): TokenVerifier {
  const { settings, signingKeys, store, now } = deps;
  const tokens = createTokenVerifier({
    keySource: async () => {
      await signingKeys.reload();
      return signingKeys.jwks();
    },
    issuer: settings.issuer,
    audience: settings.audience,
    clockToleranceMs: settings.clockToleranceMs,
    refetchMinIntervalMs: 1_000,
    maxKeyAgeMs: settings.keyReloadIntervalMs,
    now,
  });
  return {
    async verify(accessToken): Promise<Principal> {
      const principal = await tokens.verify(accessToken);
      const { sessionId } = principal;
      if (
        sessionId !== undefined &&
        !(await store.isRefreshFamilyActive(sessionId, now()))
      ) {
        throw tokenRejected("revoked");
      }
      return principal;
    },
  };
}
