import type { JsonWebKeySet, Role, TokenVerifier } from "@microtodo/kit";
import type { Logger } from "pino";
import type { PasswordHasher } from "../passwords/password-hasher.js";
import { createPasswordHasher } from "../passwords/password-hasher.js";
import { tryParseUsername } from "../passwords/username.js";
import type { AuthStore, PasswordHashParams, UserRecord } from "../store/auth-store.js";
import { createKeySealer } from "../tokens/key-sealer.js";
import type { PublishedKey, SigningKeys } from "../tokens/signing-keys.js";
import { createSigningKeys } from "../tokens/signing-keys.js";
import { createAccounts } from "./accounts.js";
import { AuthError } from "./auth-error.js";
import type { LoginThrottleSettings } from "./login-throttle.js";
import type { TokenPair } from "./sessions.js";
import { createSessions, createSessionVerifier } from "./sessions.js";

export type { TokenPair } from "./sessions.js";

/** Everything the auth domain is tuned by; main.ts fills it from the config. */
export interface AuthSettings {
  /** Default "microtodo-auth". */
  readonly issuer: string;
  /** Default "microtodo". */
  readonly audience: string;
  /** Default 900000 (15 min). */
  readonly accessTokenTtlMs: number;
  /** Absolute session length; default 2592000000 (30 days). */
  readonly refreshTokenTtlMs: number;
  /** Argon2id cost for new hashes; default m=19456 KiB, t=2, p=1. */
  readonly hashParams: PasswordHashParams;
  /** Encrypts private signing keys at rest when set; default unset. */
  readonly keySecret?: string;
  /** How often signing keys are reread from the store; default 30000. */
  readonly keyReloadIntervalMs: number;
  /** Clock skew allowed when checking tokens; default 5000. */
  readonly clockToleranceMs: number;
  readonly throttle: LoginThrottleSettings;
}

/** The auth domain, free of RPC concerns; failures are AuthError or ConnectError. */
export interface AuthCore {
  register(input: { username: string; password: string }): Promise<UserRecord>;
  /** Creates an account with given roles (the first admin). */
  createAccount(input: {
    username: string;
    password: string;
    roles: Role[];
  }): Promise<UserRecord>;
  /**
   * Sets a new password (policy and hashing as for a new account), revokes
   * every session of the account and lifts its login lockout.
   */
  resetPassword(input: {
    username: string;
    password: string;
  }): Promise<{ userId: string; revokedSessions: number }>;
  login(input: LoginInput): Promise<{ user: UserRecord; tokens: TokenPair }>;
  refresh(refreshToken: string): Promise<TokenPair>;
  logout(refreshToken: string): Promise<void>;
  /** Checks an access token, its session included; the RPCs use it for auth too. */
  readonly verifier: TokenVerifier;
  lookupUsers(usernames: readonly string[]): Promise<UserRecord[]>;
  publicKeys(): Promise<PublishedKey[]>;
  jwks(): Promise<JsonWebKeySet>;
  rotateSigningKey(): Promise<PublishedKey>;
}

/** A login attempt. */
export interface LoginInput {
  readonly username: string;
  readonly password: string;
  /** The caller's address, for per-address throttling; none skips it. */
  readonly clientAddress?: string;
}

/** What createAuthCore needs. */
export interface AuthCoreDeps {
  readonly store: AuthStore;
  readonly settings: AuthSettings;
  readonly logger: Logger;
  /** Clock in ms since the epoch; default Date.now. */
  readonly now?: () => number;
}

/** Most usernames one LookupUsers call may ask for. */
export const LOOKUP_MAX_USERNAMES = 100;

/** Builds the auth domain: loads (or creates) signing keys and the dummy hash. */
export async function createAuthCore(deps: AuthCoreDeps): Promise<AuthCore> {
  const now = deps.now ?? Date.now;
  const { settings } = deps;
  const hasher = await createPasswordHasher(settings.hashParams);
  const signingKeys = await createSigningKeys({
    store: deps.store,
    sealer: createKeySealer(settings.keySecret),
    retiredKeyPublishMs:
      settings.accessTokenTtlMs +
      settings.keyReloadIntervalMs +
      settings.clockToleranceMs,
    reloadIntervalMs: settings.keyReloadIntervalMs,
    now,
  });
  return assembleCore({ ...deps, now }, hasher, signingKeys);
}

function assembleCore(
  deps: AuthCoreDeps & { readonly now: () => number },
  hasher: PasswordHasher,
  signingKeys: SigningKeys,
): AuthCore {
  const { store, logger, now, settings } = deps;
  const sessionDeps = { store, signingKeys, settings, logger, now };
  const sessions = createSessions(sessionDeps);
  const accounts = createAccounts({
    store,
    hasher,
    throttle: settings.throttle,
    logger,
    now,
    startSession: sessions.start,
  });
  return {
    ...accounts,
    refresh: sessions.refresh,
    logout: sessions.logout,
    verifier: createSessionVerifier(sessionDeps),
    async lookupUsers(usernames) {
      if (usernames.length > LOOKUP_MAX_USERNAMES) {
        throw new AuthError(
          "invalid_argument",
          `usernames: at most ${LOOKUP_MAX_USERNAMES}, got ${usernames.length}`,
        );
      }
      const names = new Set(
        usernames.map(tryParseUsername).filter((n) => n !== undefined),
      );
      return store.findUsersByUsernames([...names]);
    },
    publicKeys: () => signingKeys.published(),
    jwks: () => signingKeys.jwks(),
    async rotateSigningKey() {
      const key = await signingKeys.rotate();
      logger.info({ kid: key.kid }, "signing key rotated");
      return key;
    },
  };
}
