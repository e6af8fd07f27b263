import type { Role } from "@microtodo/kit";
import type { Redis } from "ioredis";
import type {
  AuthStore,
  LoginFailures,
  RefreshFamilyInit,
  RefreshRotation,
  SigningKeyRecord,
  UserRecord,
} from "./auth-store.js";
import {
  addFirstKeyScript,
  addRoleScript,
  createUserScript,
  recordFailureScript,
  revokeFamilyScript,
  revokeUserFamiliesScript,
  rotateKeyScript,
  rotateRefreshScript,
} from "./redis-scripts.js";

/** Options of createRedisAuthStore. */
export interface RedisAuthStoreOptions {
  /** A connected client; the store owns it and quits it on close. */
  readonly redis: Redis;
  /** Prepended to every key; default "microtodo:auth:". */
  readonly keyPrefix?: string;
}

/**
 * An AuthStore in Redis, shared by every auth replica. Decisions on stored
 * state run as Lua scripts so they are atomic. Scripts touch keys derived
 * from what they read (a token's family), which needs a single Redis node,
 * not Redis Cluster.
 */
export function createRedisAuthStore(options: RedisAuthStoreOptions): AuthStore {
  const { redis } = options;
  const key = keyNames(options.keyPrefix ?? "microtodo:auth:");
  return {
    ...userMethods(redis, key),
    ...refreshMethods(redis, key),
    revokeUserRefreshFamilies: (userId, nowMs) =>
      revokeUserFamilies(redis, key, userId, nowMs),
    ...keyMethods(redis, key),
    ...counterMethods(redis, key),
    async pruneExpired() {
      // Key TTLs remove expired sessions and counters.
    },
    async close() {
      await redis.quit();
    },
  };
}

type KeyNames = ReturnType<typeof keyNames>;

function keyNames(prefix: string) {
  return {
    user: (id: string) => `${prefix}user:${id}`,
    username: (name: string) => `${prefix}username:${name}`,
    family: (id: string) => `${prefix}rf:${id}`,
    /** SCAN pattern of every family key; glob characters in the prefix escaped. */
    familyPattern: `${prefix.replace(/[*?[\]\\]/g, "\\$&")}rf:*`,
    token: (hash: string) => `${prefix}rt:${hash}`,
    signingKeys: `${prefix}signing-keys`,
    retiredKeys: `${prefix}signing-keys:retired`,
    failures: (k: string) => `${prefix}lf:${k}`,
  };
}

function userMethods(redis: Redis, key: KeyNames) {
  async function byId(id: string): Promise<UserRecord | undefined> {
    return toUser(await redis.hgetall(key.user(id)));
  }
  return {
    async createUser(user: UserRecord) {
      const fields = userFields(user);
      const created = await createUserScript.run(
        redis,
        [key.username(user.username), key.user(user.id)],
        [user.id, ...fields],
      );
      return created === 1 ? ("created" as const) : ("exists" as const);
    },
    async findUserByUsername(username: string) {
      const id = await redis.get(key.username(username));
      return id === null ? undefined : byId(id);
    },
    findUserById: byId,
    async findUsersByUsernames(usernames: readonly string[]) {
      if (usernames.length === 0) return [];
      const ids = await redis.mget(...usernames.map(key.username));
      const found = ids.filter((id): id is string => id !== null);
      const users = await Promise.all(found.map(byId));
      return users.filter((u): u is UserRecord => u !== undefined);
    },
    async updatePasswordHash(
      userId: string,
      passwordHash: string,
      params: UserRecord["hashParams"],
    ) {
      await redis.hset(key.user(userId), {
        passwordHash,
        memoryKiB: params.memoryKiB,
        timeCost: params.timeCost,
        parallelism: params.parallelism,
      });
    },
    async addUserRole(userId: string, role: Role) {
      return (await addRoleScript.run(redis, [key.user(userId)], [role])) === 1;
    },
  };
}

function userFields(user: UserRecord): string[] {
  return [
    ["id", user.id],
    ["username", user.username],
    ["roles", JSON.stringify(user.roles)],
    ["passwordHash", user.passwordHash],
    ["memoryKiB", String(user.hashParams.memoryKiB)],
    ["timeCost", String(user.hashParams.timeCost)],
    ["parallelism", String(user.hashParams.parallelism)],
    ["createdAtMs", String(user.createdAtMs)],
  ].flat();
}

function toUser(h: Record<string, string>): UserRecord | undefined {
  if (!h.id || !h.username || !h.passwordHash) return undefined;
  return {
    id: h.id,
    username: h.username,
    roles: JSON.parse(h.roles ?? "[]") as Role[],
    passwordHash: h.passwordHash,
    hashParams: {
      memoryKiB: Number(h.memoryKiB),
      timeCost: Number(h.timeCost),
      parallelism: Number(h.parallelism),
    },
    createdAtMs: Number(h.createdAtMs),
  };
}

function refreshMethods(redis: Redis, key: KeyNames) {
  return {
    async createRefreshFamily(init: RefreshFamilyInit) {
      const ttlMs = Math.max(1, init.expiresAtMs - init.createdAtMs);
      const replies = await redis
        .multi()
        .hset(key.family(init.familyId), {
          userId: init.userId,
          current: init.tokenHash,
          createdAtMs: init.createdAtMs,
          expiresAtMs: init.expiresAtMs,
        })
        .pexpire(key.family(init.familyId), ttlMs)
        .set(key.token(init.tokenHash), init.familyId, "PX", ttlMs)
        .exec();
      for (const [err] of replies ?? []) if (err) throw err;
    },
    async rotateRefreshToken(
      tokenHash: string,
      nextTokenHash: string,
      nowMs: number,
    ): Promise<RefreshRotation> {
      // A token's family never changes, so reading it outside the script is safe.
      const familyId = await redis.get(key.token(tokenHash));
      if (familyId === null) return { kind: "unknown" };
      const reply = (await rotateRefreshScript.run(
        redis,
        [key.family(familyId), key.token(nextTokenHash)],
        [tokenHash, nextTokenHash, String(nowMs), familyId],
      )) as string[];
      return toRotation(reply, familyId);
    },
    async revokeRefreshFamily(tokenHash: string, nowMs: number) {
      const familyId = await redis.get(key.token(tokenHash));
      if (familyId === null) return false;
      const found = await revokeFamilyScript.run(
        redis,
        [key.family(familyId)],
        [String(nowMs)],
      );
      return found === 1;
    },
    async isRefreshFamilyActive(familyId: string, nowMs: number) {
      const [expiresAtMs, revokedAtMs] = await redis.hmget(
        key.family(familyId),
        "expiresAtMs",
        "revokedAtMs",
      );
      return expiresAtMs !== null && revokedAtMs === null && nowMs < Number(expiresAtMs);
    },
  };
}

/**
 * Families are found by SCAN rather than a per-user index: it also finds
 * families created before this method existed, and it runs only when an
 * operator resets a password, where walking the keyspace once is affordable.
 */
async function revokeUserFamilies(
  redis: Redis,
  key: KeyNames,
  userId: string,
  nowMs: number,
): Promise<number> {
  let cursor = "0";
  let revoked = 0;
  do {
    const [next, keys] = await redis.scan(
      cursor,
      "MATCH",
      key.familyPattern,
      "COUNT",
      1000,
    );
    cursor = next;
    if (keys.length === 0) continue;
    const count = await revokeUserFamiliesScript.run(redis, keys, [
      userId,
      String(nowMs),
    ]);
    revoked += Number(count);
  } while (cursor !== "0");
  return revoked;
}

function toRotation(reply: string[], familyId: string): RefreshRotation {
  const [kind, userId = "", expiresAtMs = "0"] = reply;
  switch (kind) {
    case "rotated":
      return { kind, familyId, userId, expiresAtMs: Number(expiresAtMs) };
    case "reused":
      return { kind, familyId, userId };
    case "revoked":
    case "expired":
      return { kind };
    default:
      return { kind: "unknown" };
  }
}

function keyMethods(redis: Redis, key: KeyNames) {
  const encode = ({ retiredAtMs: _retired, ...rest }: SigningKeyRecord) =>
    JSON.stringify(rest);
  return {
    async listSigningKeys() {
      const [keys, retired] = await Promise.all([
        redis.hgetall(key.signingKeys),
        redis.hgetall(key.retiredKeys),
      ]);
      return Object.entries(keys)
        .map(([kid, json]): SigningKeyRecord => {
          const record = JSON.parse(json) as SigningKeyRecord;
          const retiredAtMs = retired[kid];
          return retiredAtMs === undefined
            ? record
            : { ...record, retiredAtMs: Number(retiredAtMs) };
        })
        .sort((a, b) => a.createdAtMs - b.createdAtMs || a.kid.localeCompare(b.kid));
    },
    async addFirstSigningKey(record: SigningKeyRecord) {
      const added = await addFirstKeyScript.run(
        redis,
        [key.signingKeys],
        [record.kid, encode(record)],
      );
      return added === 1;
    },
    async rotateSigningKey(next: SigningKeyRecord, nowMs: number) {
      await rotateKeyScript.run(
        redis,
        [key.signingKeys, key.retiredKeys],
        [String(nowMs), next.kid, encode(next)],
      );
    },
  };
}

function counterMethods(redis: Redis, key: KeyNames) {
  return {
    async recordLoginFailure(
      k: string,
      nowMs: number,
      ttlMs: number,
    ): Promise<LoginFailures> {
      const count = await recordFailureScript.run(
        redis,
        [key.failures(k)],
        [String(nowMs), String(Math.max(1, ttlMs)), String(nowMs + ttlMs)],
      );
      return { count: Number(count), lastFailureAtMs: nowMs };
    },
    async getLoginFailures(keys: readonly string[], nowMs: number) {
      const pipeline = redis.pipeline();
      for (const k of keys)
        pipeline.hmget(key.failures(k), "count", "lastFailureAtMs", "expiresAtMs");
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([err, value]) => {
        if (err) throw err;
        const [count, last, expires] = value as (string | null)[];
        if (count == null || last == null || Number(expires) <= nowMs) return undefined;
        return { count: Number(count), lastFailureAtMs: Number(last) };
      });
    },
    async clearLoginFailures(k: string) {
      await redis.del(key.failures(k));
    },
  };
}
