import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Role } from "@microtodo/kit";
import Database from "better-sqlite3";
import type {
  AuthStore,
  LoginFailures,
  RefreshRotation,
  SigningKeyRecord,
  UserRecord,
} from "./auth-store.js";

const schema = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  roles TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  hash_memory_kib INTEGER NOT NULL,
  hash_time_cost INTEGER NOT NULL,
  hash_parallelism INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_families (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  current_token_hash TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE INDEX IF NOT EXISTS refresh_families_expiry ON refresh_families (expires_at_ms);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_jwk TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  retired_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS login_failures (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_failure_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
PRAGMA user_version = 1;
`;

interface UserRow {
  id: string;
  username: string;
  roles: string;
  password_hash: string;
  hash_memory_kib: number;
  hash_time_cost: number;
  hash_parallelism: number;
  created_at_ms: number;
}

interface FamilyRow {
  id: string;
  user_id: string;
  current_token_hash: string;
  expires_at_ms: number;
  revoked_at_ms: number | null;
}

interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at_ms: number;
  retired_at_ms: number | null;
}

/** Options of createSqliteAuthStore. */
export interface SqliteAuthStoreOptions {
  /** Database file, e.g. `${dataDir}/auth.sqlite`; ":memory:" for a throwaway one. */
  readonly path: string;
  /** How long a write waits for another process's lock; default 5000. */
  readonly busyTimeoutMs?: number;
}

/** An AuthStore in one SQLite file (WAL), for a single machine. */
export function createSqliteAuthStore(options: SqliteAuthStoreOptions): AuthStore {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  // The file holds password hashes and maybe plain private keys: owner only.
  // SQLite gives the -wal and -shm files the same mode.
  if (options.path !== ":memory:") chmodSync(options.path, 0o600);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5_000)}`);
  db.exec(schema);
  return {
    ...userMethods(db),
    ...refreshMethods(db),
    ...keyMethods(db),
    ...counterMethods(db),
    async pruneExpired(nowMs) {
      db.prepare("DELETE FROM refresh_families WHERE expires_at_ms <= ?").run(nowMs);
      db.prepare("DELETE FROM login_failures WHERE expires_at_ms <= ?").run(nowMs);
    },
    async close() {
      db.close();
    },
  };
}

type Db = Database.Database;

function userMethods(db: Db) {
  const insert = db.prepare(
    `INSERT INTO users (id, username, roles, password_hash, hash_memory_kib, hash_time_cost,
       hash_parallelism, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (username) DO NOTHING`,
  );
  const byName = db.prepare<[string], UserRow>("SELECT * FROM users WHERE username = ?");
  const byId = db.prepare<[string], UserRow>("SELECT * FROM users WHERE id = ?");
  const addRole = db.transaction((userId: string, role: Role): boolean => {
    const row = byId.get(userId);
    if (!row) return false;
    const roles = JSON.parse(row.roles) as Role[];
    if (roles.includes(role)) return false;
    db.prepare("UPDATE users SET roles = ? WHERE id = ?").run(
      JSON.stringify([...roles, role]),
      userId,
    );
    return true;
  });
  return {
    async createUser(user: UserRecord) {
      const { memoryKiB, timeCost, parallelism } = user.hashParams;
      const result = insert.run(
        user.id,
        user.username,
        JSON.stringify(user.roles),
        user.passwordHash,
        memoryKiB,
        timeCost,
        parallelism,
        user.createdAtMs,
      );
      return result.changes === 1 ? ("created" as const) : ("exists" as const);
    },
    async findUserByUsername(username: string) {
      return toUser(byName.get(username));
    },
    async findUserById(id: string) {
      return toUser(byId.get(id));
    },
    async findUsersByUsernames(usernames: readonly string[]) {
      if (usernames.length === 0) return [];
      const marks = usernames.map(() => "?").join(", ");
      const rows = db
        .prepare<string[], UserRow>(`SELECT * FROM users WHERE username IN (${marks})`)
        .all(...usernames);
      return rows.map((row) => toUser(row) as UserRecord);
    },
    async updatePasswordHash(
      userId: string,
      passwordHash: string,
      params: UserRecord["hashParams"],
    ) {
      db.prepare(
        `UPDATE users SET password_hash = ?, hash_memory_kib = ?, hash_time_cost = ?,
           hash_parallelism = ? WHERE id = ?`,
      ).run(passwordHash, params.memoryKiB, params.timeCost, params.parallelism, userId);
    },
    async addUserRole(userId: string, role: Role) {
      return addRole.immediate(userId, role);
    },
  };
}

function toUser(row: UserRow | undefined): UserRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    roles: JSON.parse(row.roles) as Role[],
    passwordHash: row.password_hash,
    hashParams: {
      memoryKiB: row.hash_memory_kib,
      timeCost: row.hash_time_cost,
      parallelism: row.hash_parallelism,
    },
    createdAtMs: row.created_at_ms,
  };
}

function refreshMethods(db: Db) {
  const familyOf = db.prepare<[string], FamilyRow>(
    `SELECT f.* FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
     WHERE t.token_hash = ?`,
  );
  const revoke = db.prepare(
    "UPDATE refresh_families SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL",
  );
  const insertToken = db.prepare(
    "INSERT INTO refresh_tokens (token_hash, family_id) VALUES (?, ?)",
  );
  // IMMEDIATE takes the write lock before reading, so two processes sharing
  // the file cannot both see the same current token.
  const rotate = db.transaction(
    (tokenHash: string, nextTokenHash: string, nowMs: number): RefreshRotation => {
      const family = familyOf.get(tokenHash);
      if (!family) return { kind: "unknown" };
      if (family.revoked_at_ms !== null) return { kind: "revoked" };
      if (nowMs >= family.expires_at_ms) return { kind: "expired" };
      if (family.current_token_hash !== tokenHash) {
        revoke.run(nowMs, family.id);
        return { kind: "reused", familyId: family.id, userId: family.user_id };
      }
      db.prepare("UPDATE refresh_families SET current_token_hash = ? WHERE id = ?").run(
        nextTokenHash,
        family.id,
      );
      insertToken.run(nextTokenHash, family.id);
      return {
        kind: "rotated",
        familyId: family.id,
        userId: family.user_id,
        expiresAtMs: family.expires_at_ms,
      };
    },
  );
  const create = db.transaction(
    (init: Parameters<AuthStore["createRefreshFamily"]>[0]) => {
      db.prepare(
        `INSERT INTO refresh_families (id, user_id, current_token_hash, created_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
      ).run(
        init.familyId,
        init.userId,
        init.tokenHash,
        init.createdAtMs,
        init.expiresAtMs,
      );
      insertToken.run(init.tokenHash, init.familyId);
    },
  );
  return {
    async createRefreshFamily(init: Parameters<AuthStore["createRefreshFamily"]>[0]) {
      create.immediate(init);
    },
    async rotateRefreshToken(tokenHash: string, nextTokenHash: string, nowMs: number) {
      return rotate.immediate(tokenHash, nextTokenHash, nowMs);
    },
    async revokeRefreshFamily(tokenHash: string, nowMs: number) {
      const family = familyOf.get(tokenHash);
      if (!family) return false;
      revoke.run(nowMs, family.id);
      return true;
    },
    async revokeUserRefreshFamilies(userId: string, nowMs: number) {
      // No index on user_id: this runs only when an operator resets a
      // password, and an index would cost every login a write.
      const result = db
        .prepare(
          `UPDATE refresh_families SET revoked_at_ms = ?
           WHERE user_id = ? AND revoked_at_ms IS NULL AND expires_at_ms > ?`,
        )
        .run(nowMs, userId, nowMs);
      return result.changes;
    },
    async isRefreshFamilyActive(familyId: string, nowMs: number) {
      const row = db
        .prepare<[string, number], { id: string }>(
          `SELECT id FROM refresh_families
           WHERE id = ? AND revoked_at_ms IS NULL AND expires_at_ms > ?`,
        )
        .get(familyId, nowMs);
      return row !== undefined;
    },
  };
}

function keyMethods(db: Db) {
  const insert = db.prepare(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at_ms, retired_at_ms)
     VALUES (@kid, @alg, @publicJwk, @privateJwk, @createdAtMs, @retiredAtMs)`,
  );
  const row = (key: SigningKeyRecord) => ({
    ...key,
    retiredAtMs: key.retiredAtMs ?? null,
  });
  const addFirst = db.transaction((key: SigningKeyRecord) => {
    const { n } = db
      .prepare<[], { n: number }>("SELECT count(*) AS n FROM signing_keys")
      .get() ?? {
      n: 0,
    };
    if (n > 0) return false;
    insert.run(row(key));
    return true;
  });
  const rotate = db.transaction((next: SigningKeyRecord, nowMs: number) => {
    db.prepare(
      "UPDATE signing_keys SET retired_at_ms = ? WHERE retired_at_ms IS NULL",
    ).run(nowMs);
    insert.run(row(next));
  });
  return {
    async listSigningKeys() {
      const rows = db
        .prepare<[], SigningKeyRow>(
          "SELECT * FROM signing_keys ORDER BY created_at_ms, kid",
        )
        .all();
      return rows.map(
        (r): SigningKeyRecord => ({
          kid: r.kid,
          alg: r.alg,
          publicJwk: r.public_jwk,
          privateJwk: r.private_jwk,
          createdAtMs: r.created_at_ms,
          ...(r.retired_at_ms === null ? {} : { retiredAtMs: r.retired_at_ms }),
        }),
      );
    },
    async addFirstSigningKey(key: SigningKeyRecord) {
      return addFirst.immediate(key);
    },
    async rotateSigningKey(next: SigningKeyRecord, nowMs: number) {
      rotate.immediate(next, nowMs);
    },
  };
}

function counterMethods(db: Db) {
  // A counter whose window has passed starts again from one.
  const upsert = db.prepare<[{ key: string; now: number; ttl: number }], LoginFailureRow>(
    `INSERT INTO login_failures (key, count, last_failure_at_ms, expires_at_ms)
     VALUES (@key, 1, @now, @now + @ttl)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN expires_at_ms <= @now THEN 1 ELSE count + 1 END,
       last_failure_at_ms = @now,
       expires_at_ms = @now + @ttl
     RETURNING count, last_failure_at_ms`,
  );
  const get = db.prepare<[string, number], LoginFailureRow>(
    "SELECT count, last_failure_at_ms FROM login_failures WHERE key = ? AND expires_at_ms > ?",
  );
  return {
    async recordLoginFailure(
      key: string,
      nowMs: number,
      ttlMs: number,
    ): Promise<LoginFailures> {
      const r = upsert.get({ key, now: nowMs, ttl: ttlMs }) as LoginFailureRow;
      return { count: r.count, lastFailureAtMs: r.last_failure_at_ms };
    },
    async getLoginFailures(keys: readonly string[], nowMs: number) {
      return keys.map((key) => {
        const r = get.get(key, nowMs);
        return r ? { count: r.count, lastFailureAtMs: r.last_failure_at_ms } : undefined;
      });
    },
    async clearLoginFailures(key: string) {
      db.prepare("DELETE FROM login_failures WHERE key = ?").run(key);
    },
  };
}

interface LoginFailureRow {
  count: number;
  last_failure_at_ms: number;
}
