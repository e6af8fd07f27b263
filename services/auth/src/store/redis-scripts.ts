import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script sent once and then called by its SHA-1. */
export interface RedisScript {
  run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown>;
}

/** Wraps Lua source; the first call per server loads it (EVAL on NOSCRIPT). */
export function redisScript(source: string): RedisScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/** KEYS: username key, user key. ARGV: user id, then hash field/value pairs. */
export const createUserScript = redisScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1
`);

/**
 * KEYS: family key, key of the next token. ARGV: presented token hash,
 * next token hash, now (ms), family id. Returns {outcome, userId, expiresAtMs}.
 * Expiry is decided from the stored field against the caller's clock, like
 * the SQLite store; key TTLs only clean up.
 */
export const rotateRefreshScript = redisScript(`
local f = redis.call('HMGET', KEYS[1], 'userId', 'current', 'expiresAtMs', 'revokedAtMs')
if not f[1] then return {'unknown'} end
if f[4] then return {'revoked'} end
local now = tonumber(ARGV[3])
local expires = tonumber(f[3])
if now >= expires then return {'expired'} end
if f[2] ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'revokedAtMs', ARGV[3])
  return {'reused', f[1]}
end
redis.call('HSET', KEYS[1], 'current', ARGV[2])
redis.call('SET', KEYS[2], ARGV[4], 'PX', math.max(1, expires - now))
return {'rotated', f[1], f[3]}
`);

/** KEYS: family key. ARGV: now (ms). Returns 1 when the family exists. */
export const revokeFamilyScript = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'revokedAtMs', ARGV[1])
return 1
`);

/** KEYS: signing keys hash. ARGV: kid, record JSON. */
export const addFirstKeyScript = redisScript(`
if redis.call('HLEN', KEYS[1]) > 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/** KEYS: signing keys hash, retirements hash. ARGV: now (ms), kid, record JSON. */
export const rotateKeyScript = redisScript(`
for _, kid in ipairs(redis.call('HKEYS', KEYS[1])) do
  redis.call('HSETNX', KEYS[2], kid, ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
`);

/**
 * KEYS: counter key. ARGV: now (ms), ttl (ms), expiry (ms). A counter past
 * its expiry (by the caller's clock) starts again from one.
 */
export const recordFailureScript = redisScript(`
local expires = redis.call('HGET', KEYS[1], 'expiresAtMs')
if expires and tonumber(expires) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'lastFailureAtMs', ARGV[1], 'expiresAtMs', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return count
`);

/** KEYS: user key. ARGV: role. Returns 1 when the role was added. */
export const addRoleScript = redisScript(`
local roles = redis.call('HGET', KEYS[1], 'roles')
if not roles then return 0 end
local list = cjson.decode(roles)
for _, role in ipairs(list) do
  if role == ARGV[1] then return 0 end
end
table.insert(list, ARGV[1])
redis.call('HSET', KEYS[1], 'roles', cjson.encode(list))
return 1
`);

/**
 * KEYS: family keys of any users. ARGV: user id, now (ms). Revokes the
 * user's live families among them; returns how many.
 */
export const revokeUserFamiliesScript = redisScript(`
local revoked = 0
for _, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'userId', 'expiresAtMs', 'revokedAtMs')
  if f[1] == ARGV[1] and not f[3] and tonumber(f[2]) > tonumber(ARGV[2]) then
    redis.call('HSET', key, 'revokedAtMs', ARGV[2])
    revoked = revoked + 1
  end
end
return revoked
`);
