import { createHash } from "node:crypto";
import type { AuthStore, LoginFailures } from "../store/auth-store.js";
import { AuthError } from "./auth-error.js";

/** Brute-force limits; defaults are those of the auth config. */
export interface LoginThrottleSettings {
  /** Failures on one account before it is slowed down; default 5. */
  readonly accountThreshold: number;
  /** Failures from one client address before it is slowed down; default 20. */
  readonly addressThreshold: number;
  /** Wait after reaching a threshold; doubles with each further failure. Default 1000. */
  readonly baseDelayMs: number;
  /** Longest wait; default 900000 (15 min). */
  readonly maxDelayMs: number;
  /** A count is forgotten this long after its last failure; default 86400000 (24 h). */
  readonly failureWindowMs: number;
}

/** Who is trying to log in: the account name as typed and the client address. */
export interface LoginAttempt {
  /** Normalised username (or the normalised text when it is not a valid one). */
  readonly username: string;
  readonly clientAddress?: string;
}

/** Counts failed logins in the store so every replica sees the same numbers. */
export interface LoginThrottle {
  /** Throws AuthError(resource_exhausted) with a retry delay while locked out. */
  check(attempt: LoginAttempt, nowMs: number): Promise<void>;
  recordFailure(attempt: LoginAttempt, nowMs: number): Promise<void>;
  /** A successful login clears the account's count (not the address's). */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

/**
 * The wait imposed after `count` failures: none below the threshold, then
 * base, 2 x base, 4 x base ... up to the cap.
 */
export function lockoutDelayMs(
  count: number,
  threshold: number,
  settings: Pick<LoginThrottleSettings, "baseDelayMs" | "maxDelayMs">,
): number {
  if (count < threshold) return 0;
  const exponent = Math.min(count - threshold, 40);
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** exponent);
}

/** Creates the throttle. Accounts are counted whether or not they exist. */
export function createLoginThrottle(
  store: AuthStore,
  settings: LoginThrottleSettings,
): LoginThrottle {
  const scopes = (attempt: LoginAttempt) => {
    // The account key is hashed so that arbitrary typed names make bounded keys.
    const account = `acct:${createHash("sha256").update(attempt.username).digest("hex")}`;
    const list = [{ key: account, threshold: settings.accountThreshold }];
    if (attempt.clientAddress) {
      list.push({
        key: `addr:${attempt.clientAddress}`,
        threshold: settings.addressThreshold,
      });
    }
    return list;
  };
  const unlockAtMs = (failures: LoginFailures | undefined, threshold: number) =>
    failures
      ? failures.lastFailureAtMs + lockoutDelayMs(failures.count, threshold, settings)
      : 0;

  return {
    async check(attempt, nowMs) {
      const list = scopes(attempt);
      const counts = await store.getLoginFailures(
        list.map((s) => s.key),
        nowMs,
      );
      const waitMs = Math.max(
        ...list.map((s, i) => unlockAtMs(counts[i], s.threshold) - nowMs),
      );
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        throw new AuthError(
          "resource_exhausted",
          `too many failed logins; retry in ${seconds} s`,
          waitMs,
        );
      }
    },
    async recordFailure(attempt, nowMs) {
      await Promise.all(
        scopes(attempt).map((s) =>
          store.recordLoginFailure(s.key, nowMs, settings.failureWindowMs),
        ),
      );
    },
    async recordSuccess(attempt) {
      const [account] = scopes(attempt);
      if (account) await store.clearLoginFailures(account.key);
    },
  };
}
