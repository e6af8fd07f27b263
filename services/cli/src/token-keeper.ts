import type { Client } from "@connectrpc/connect";
import type { AuthService } from "@microtodo/api/auth";
import type { AccessTokenSource } from "./authorized-transport.js";
import { CliError, isUnauthenticated } from "./cli-errors.js";
import type { CredentialsStore, StoredSession } from "./credentials-store.js";
import { storedFromTokens } from "./stored-session.js";

/** Options of createTokenKeeper. */
export interface TokenKeeperOptions {
  readonly registryUrl: string;
  readonly store: CredentialsStore;
  readonly auth: Client<typeof AuthService>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Refresh an access token that expires within this (default 30 000). */
  readonly refreshMarginMs?: number;
}

/**
 * Hands out the stored access token, refreshing it first when it expires
 * within the margin, and once more when a server refuses it.
 */
export function createTokenKeeper(options: TokenKeeperOptions): AccessTokenSource {
  const { registryUrl, store, auth, now } = options;
  const refreshMarginMs = options.refreshMarginMs ?? 30_000;
  // A token this process just got is used as is: with a clock running ahead
  // of the server's, or a lifetime under the margin, it would otherwise be
  // refreshed again before every call.
  const refreshedHere = new Set<string>();
  const expiresSoon = (stored: StoredSession) =>
    !refreshedHere.has(stored.accessToken) &&
    isBefore(stored.accessTokenExpiresAt, now() + refreshMarginMs);

  async function refresh(stored: StoredSession): Promise<StoredSession | undefined> {
    if (isBefore(stored.refreshTokenExpiresAt, now())) return undefined;
    try {
      const response = await auth.refresh({ refreshToken: stored.refreshToken });
      return storedFromTokens(response.tokens, stored);
    } catch (err) {
      if (isUnauthenticated(err)) return undefined;
      throw err;
    }
  }

  // Under the store's lock: another process may have refreshed meanwhile,
  // and spending the old refresh token again would revoke the whole family.
  async function refreshUnlessReplaced(staleAccessToken: string): Promise<string> {
    let username: string | undefined;
    const next = await store.update(registryUrl, async (stored) => {
      if (!stored) throw notLoggedIn();
      if (stored.accessToken !== staleAccessToken && !expiresSoon(stored)) return stored;
      username = stored.username;
      return refresh(stored);
    });
    if (!next) throw sessionExpired(username);
    refreshedHere.add(next.accessToken);
    return next.accessToken;
  }

  async function accessToken(): Promise<string> {
    const stored = await store.load(registryUrl);
    if (!stored) throw notLoggedIn();
    if (!expiresSoon(stored)) return stored.accessToken;
    return refreshUnlessReplaced(stored.accessToken);
  }

  async function withAccessToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await accessToken();
    try {
      return await call(token);
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
      return call(await refreshUnlessReplaced(token));
    }
  }

  return { accessToken, withAccessToken };
}

function isBefore(iso: string, limitMs: number): boolean {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms <= limitMs;
}

/** The error for a registry with no stored sign-in. */
export function notLoggedIn(): CliError {
  return new CliError("not logged in: run `microtodo login <username>`");
}

function sessionExpired(username: string | undefined): CliError {
  return new CliError(
    `session expired: run \`microtodo login ${username || "<username>"}\``,
  );
}
