import type { Role } from "@microtodo/kit";

/** Argon2id cost parameters, stored next to every hash so they can be raised later. */
export interface PasswordHashParams {
  /** Memory per hash in KiB (argon2 `m`). */
  readonly memoryKiB: number;
  /** Passes over memory (argon2 `t`). */
  readonly timeCost: number;
  /** Lanes (argon2 `p`). */
  readonly parallelism: number;
}

/** An account as stored. */
export interface UserRecord {
  readonly id: string;
  /** Normalised (NFKC, lower case); unique. */
  readonly username: string;
  readonly roles: readonly Role[];
  /** Argon2id PHC string. */
  readonly passwordHash: string;
  readonly hashParams: PasswordHashParams;
  readonly createdAtMs: number;
}

/** The first token of a refresh-token family (one login session). */
export interface RefreshFamilyInit {
  readonly familyId: string;
  readonly userId: string;
  /** SHA-256 of the refresh token, hex; the token itself is never stored. */
  readonly tokenHash: string;
  readonly createdAtMs: number;
  /** Absolute end of the session; rotation does not extend it. */
  readonly expiresAtMs: number;
}

/** What presenting a refresh token did. */
export type RefreshRotation =
  /** The token was the family's current one; the next token now is. */
  | {
      readonly kind: "rotated";
      readonly familyId: string;
      readonly userId: string;
      readonly expiresAtMs: number;
    }
  /** The token was already traded: the family has just been revoked. */
  | { readonly kind: "reused"; readonly familyId: string; readonly userId: string }
  | { readonly kind: "revoked" | "expired" | "unknown" };

/** A token signing key as stored. */
export interface SigningKeyRecord {
  readonly kid: string;
  /** JWS algorithm, "EdDSA". */
  readonly alg: string;
  /** The public JWK as JSON. */
  readonly publicJwk: string;
  /** The private JWK as JSON, or sealed (see key-sealer.ts). */
  readonly privateJwk: string;
  readonly createdAtMs: number;
  /** Set when a newer key took over signing. */
  readonly retiredAtMs?: number;
}

/** Failed logins counted under one key (an account or a client address). */
export interface LoginFailures {
  readonly count: number;
  readonly lastFailureAtMs: number;
}

/**
 * Everything auth persists. Implementations: SQLite and Redis; both pass
 * the contract suite in auth-store.contract.test.ts. Every method that
 * decides something from stored state (create if absent, rotate) does so
 * atomically, so replicas sharing one store cannot both win.
 */
export interface AuthStore {
  /** Adds a user unless the username is taken. */
  createUser(user: UserRecord): Promise<"created" | "exists">;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  /** The users among the names, in no particular order. */
  findUsersByUsernames(usernames: readonly string[]): Promise<UserRecord[]>;
  updatePasswordHash(
    userId: string,
    passwordHash: string,
    params: PasswordHashParams,
  ): Promise<void>;
  /** Adds a role to a user; false when it had it already or the user is unknown. */
  addUserRole(userId: string, role: Role): Promise<boolean>;

  createRefreshFamily(init: RefreshFamilyInit): Promise<void>;
  /**
   * Trades the token with hash `tokenHash` for `nextTokenHash`. At most one
   * of several concurrent calls with the same token gets "rotated"; a token
   * that is not the family's current one revokes the family ("reused").
   */
  rotateRefreshToken(
    tokenHash: string,
    nextTokenHash: string,
    nowMs: number,
  ): Promise<RefreshRotation>;
  /** Revokes the family of a token; false when the token is unknown. */
  revokeRefreshFamily(tokenHash: string, nowMs: number): Promise<boolean>;
  /** Revokes every active family of a user; returns how many it revoked. */
  revokeUserRefreshFamilies(userId: string, nowMs: number): Promise<number>;
  /** Whether the family exists, is not revoked and has not expired. */
  isRefreshFamilyActive(familyId: string, nowMs: number): Promise<boolean>;

  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Stores the key only when there is no key at all (first start). */
  addFirstSigningKey(key: SigningKeyRecord): Promise<boolean>;
  /** Retires every unretired key at `nowMs` and adds `next`, atomically. */
  rotateSigningKey(next: SigningKeyRecord, nowMs: number): Promise<void>;

  /** Counts one failure; the count expires `ttlMs` after this failure. */
  recordLoginFailure(key: string, nowMs: number, ttlMs: number): Promise<LoginFailures>;
  /** Current counts, in the order of `keys`; expired or absent ones are undefined. */
  getLoginFailures(
    keys: readonly string[],
    nowMs: number,
  ): Promise<(LoginFailures | undefined)[]>;
  clearLoginFailures(key: string): Promise<void>;

  /** Deletes expired sessions and counters (Redis expires them by itself). */
  pruneExpired(nowMs: number): Promise<void>;
  close(): Promise<void>;
}
