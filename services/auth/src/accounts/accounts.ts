import { randomUUID } from "node:crypto";
import type { Role } from "@microtodo/kit";
import type { Logger } from "pino";
import type { PasswordHasher } from "../passwords/password-hasher.js";
import { checkNewPassword, checkPasswordSize } from "../passwords/password-policy.js";
import {
  normalizeUsername,
  parseUsername,
  tryParseUsername,
} from "../passwords/username.js";
import type { AuthStore, UserRecord } from "../store/auth-store.js";
import type { AuthCore } from "./auth-core.js";
import { AuthError } from "./auth-error.js";
import type { LoginThrottleSettings } from "./login-throttle.js";
import { createLoginThrottle } from "./login-throttle.js";
import type { TokenPair } from "./sessions.js";

const INVALID_CREDENTIALS = "invalid username or password";

/** What the account functions need. */
export interface AccountDeps {
  readonly store: AuthStore;
  readonly hasher: PasswordHasher;
  readonly throttle: LoginThrottleSettings;
  readonly logger: Logger;
  readonly now: () => number;
  /** Starts a session for a user who just logged in. */
  readonly startSession: (user: UserRecord) => Promise<TokenPair>;
}

/** Registration, account creation, password reset and login. */
export function createAccounts(
  deps: AccountDeps,
): Pick<AuthCore, "register" | "createAccount" | "resetPassword" | "login"> {
  const { store, hasher, logger, now, startSession } = deps;
  const throttle = createLoginThrottle(store, deps.throttle);

  async function createAccount(input: {
    username: string;
    password: string;
    roles: Role[];
  }) {
    const username = parseUsername(input.username);
    checkNewPassword(input.password, username);
    if (await store.findUserByUsername(username)) throw usernameTaken();
    const user: UserRecord = {
      id: randomUUID(),
      username,
      roles: input.roles,
      ...(await hasher.hash(input.password)),
      createdAtMs: now(),
    };
    // The check above saves a hash; this one settles concurrent registrations.
    if ((await store.createUser(user)) === "exists") throw usernameTaken();
    logger.info({ userId: user.id, roles: user.roles }, "account created");
    return user;
  }

  async function resetPassword(input: { username: string; password: string }) {
    const username = parseUsername(input.username);
    checkNewPassword(input.password, username);
    const user = await store.findUserByUsername(username);
    if (!user) throw new AuthError("invalid_argument", "username: no such account");
    const next = await hasher.hash(input.password);
    await store.updatePasswordHash(user.id, next.passwordHash, next.hashParams);
    // Whoever held the old password may still hold a session. Not closed:
    // another replica's login that checked the old password just before the
    // update can start a session just after this; main resets before this
    // replica serves, so only replicas already running can race it.
    const revokedSessions = await store.revokeUserRefreshFamilies(user.id, now());
    // The owner is back in control, so a lockout from failed logins ends too.
    await throttle.recordSuccess({ username });
    return { userId: user.id, revokedSessions };
  }

  async function rehashIfWeak(user: UserRecord, password: string): Promise<void> {
    if (!hasher.needsRehash(user.hashParams)) return;
    try {
      const next = await hasher.hash(password);
      await store.updatePasswordHash(user.id, next.passwordHash, next.hashParams);
      logger.info({ userId: user.id, hashParams: next.hashParams }, "password rehashed");
    } catch (err) {
      logger.warn({ err, userId: user.id }, "password rehash failed");
    }
  }

  return {
    register: ({ username, password }) =>
      createAccount({ username, password, roles: ["user"] }),
    createAccount,
    resetPassword,
    async login(input) {
      if (input.password === "") {
        throw new AuthError("invalid_argument", "password: required");
      }
      checkPasswordSize(input.password);
      const attempt = {
        username: normalizeUsername(input.username),
        ...(input.clientAddress ? { clientAddress: input.clientAddress } : {}),
      };
      await throttle.check(attempt, now());
      const username = tryParseUsername(input.username);
      const user = username ? await store.findUserByUsername(username) : undefined;
      // Unknown users still cost one hash verification (of a dummy hash).
      if (!(await hasher.verify(user, input.password)) || !user) {
        await throttle.recordFailure(attempt, now());
        throw new AuthError("unauthenticated", INVALID_CREDENTIALS);
      }
      await throttle.recordSuccess(attempt);
      await rehashIfWeak(user, input.password);
      return { user, tokens: await startSession(user) };
    },
  };
}

function usernameTaken(): AuthError {
  return new AuthError("already_exists", "username: already taken");
}
