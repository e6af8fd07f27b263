import { RedisScript } from "./redis-script.js";

// Key layout, under a prefix P (default "todo:"):
//   P task:<id>            hash  v = version, j = the task as JSON
//   P list:<id>            hash  the list's fields
//   P list:<id>:pos        zset  "<position> <task id>", all scores 0 (lex order)
//   P list:<id>:due        zset  "<due key> <task id>", all scores 0
//   P user:<id>:lists      zset  list ids scored by creation time
//   P user:<id>:default    string  the default list's id
//   P user:<id>:shared     set   ids of tasks shared with the user
// A space separates key and id in index members: it sorts below every
// character of positions and due keys, so member order is (key, id) order.
// Scripts derive some key names from record fields rather than KEYS,
// which standalone Redis allows; Redis Cluster would need hash tags.

const shareHelpers = `
local function sharees(task)
  local set = {}
  if task and type(task.shares) == 'table' then
    for _, share in ipairs(task.shares) do set[share.userId] = true end
  end
  return set
end
local function syncSharees(prefix, id, old, new)
  local before, after = sharees(old), sharees(new)
  for user in pairs(before) do
    if not after[user] then redis.call('SREM', prefix .. 'user:' .. user .. ':shared', id) end
  end
  for user in pairs(after) do
    if not before[user] then redis.call('SADD', prefix .. 'user:' .. user .. ':shared', id) end
  end
end
`;

/**
 * KEYS: task. ARGV: prefix, expected version (0: must not exist), task
 * JSON, max tasks per list, gap lo member, gap hi member ("" = open end),
 * the task's version.
 * Returns "ok" or the refusal.
 */
export const putTaskScript = new RedisScript(`${shareHelpers}
local prefix, expected = ARGV[1], tonumber(ARGV[2])
local currentJson = redis.call('HGET', KEYS[1], 'j')
if expected == 0 then
  if currentJson then return 'stale' end
elseif not currentJson or tonumber(redis.call('HGET', KEYS[1], 'v')) ~= expected then
  return 'stale'
end
local new = cjson.decode(ARGV[3])
local old = currentJson and cjson.decode(currentJson) or nil
local listKey = prefix .. 'list:' .. new.listId
local posKey = listKey .. ':pos'
if (not old) or old.listId ~= new.listId or old.position ~= new.position then
  if redis.call('EXISTS', listKey) == 0 then return 'list_missing' end
  local entering = (not old) or old.listId ~= new.listId
  if entering and redis.call('ZCARD', posKey) >= tonumber(ARGV[4]) then return 'list_full' end
  local lo, hi = ARGV[5], ARGV[6]
  if lo ~= '' and not redis.call('ZSCORE', posKey, lo) then return 'gap_changed' end
  if hi ~= '' and not redis.call('ZSCORE', posKey, hi) then return 'gap_changed' end
  local own = old and old.listId == new.listId and (old.position .. ' ' .. old.id) or nil
  local min = lo == '' and '-' or ('(' .. lo)
  local max = hi == '' and '+' or ('(' .. hi)
  for _, member in ipairs(redis.call('ZRANGEBYLEX', posKey, min, max, 'LIMIT', 0, 2)) do
    if member ~= own then return 'gap_changed' end
  end
  if old then
    redis.call('ZREM', prefix .. 'list:' .. old.listId .. ':pos', old.position .. ' ' .. old.id)
  end
  redis.call('ZADD', posKey, 0, new.position .. ' ' .. new.id)
end
local newDue = new.dueKey .. ' ' .. new.id
if old then
  local oldDue = old.dueKey .. ' ' .. old.id
  if old.listId ~= new.listId or oldDue ~= newDue then
    redis.call('ZREM', prefix .. 'list:' .. old.listId .. ':due', oldDue)
    redis.call('ZADD', listKey .. ':due', 0, newDue)
  end
else
  redis.call('ZADD', listKey .. ':due', 0, newDue)
end
syncSharees(prefix, new.id, old, new)
redis.call('HSET', KEYS[1], 'v', ARGV[7], 'j', ARGV[3])
return 'ok'
`);

/**
 * KEYS: task. ARGV: prefix, expected version (0: any).
 * Returns "ok", "stale" or "missing".
 */
export const deleteTaskScript = new RedisScript(`${shareHelpers}
local prefix, expected = ARGV[1], tonumber(ARGV[2])
local currentJson = redis.call('HGET', KEYS[1], 'j')
if not currentJson then return 'missing' end
if expected ~= 0 and tonumber(redis.call('HGET', KEYS[1], 'v')) ~= expected then
  return 'stale'
end
local old = cjson.decode(currentJson)
local listKey = prefix .. 'list:' .. old.listId
redis.call('ZREM', listKey .. ':pos', old.position .. ' ' .. old.id)
redis.call('ZREM', listKey .. ':due', old.dueKey .. ' ' .. old.id)
syncSharees(prefix, old.id, old, nil)
redis.call('DEL', KEYS[1])
return 'ok'
`);

/**
 * KEYS: list. ARGV: prefix, list id, "1" to keep the emptied list.
 * Returns the number of deleted tasks, or -1 when the list is missing.
 * One script call for up to a full list (10,000 tasks) keeps the delete
 * atomic at the price of blocking Redis for tens of milliseconds.
 */
export const deleteListScript = new RedisScript(`${shareHelpers}
local prefix, listId, keep = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local posKey = KEYS[1] .. ':pos'
local members = redis.call('ZRANGE', posKey, 0, -1)
for _, member in ipairs(members) do
  local id = string.sub(member, string.find(member, ' ', 1, true) + 1)
  local taskKey = prefix .. 'task:' .. id
  local json = redis.call('HGET', taskKey, 'j')
  if json then syncSharees(prefix, id, cjson.decode(json), nil) end
  redis.call('DEL', taskKey)
end
redis.call('DEL', posKey, KEYS[1] .. ':due')
if keep ~= '1' then
  local owner = redis.call('HGET', KEYS[1], 'ownerId')
  redis.call('ZREM', prefix .. 'user:' .. owner .. ':lists', listId)
  redis.call('DEL', KEYS[1])
end
return #members
`);

const listFieldArgs = `
local function writeList(key, fields)
  redis.call('HSET', key, 'id', fields[1], 'ownerId', fields[2], 'name', fields[3],
    'isDefault', fields[4], 'createdAtMs', fields[5], 'updatedAtMs', fields[6])
end
`;

/**
 * KEYS: user's default pointer, user's lists, candidate list.
 * ARGV: prefix, then the candidate's id, ownerId, name, isDefault,
 * createdAtMs, updatedAtMs. Returns the default list's id.
 */
export const ensureDefaultListScript = new RedisScript(`${listFieldArgs}
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
writeList(KEYS[3], {ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]})
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
redis.call('SET', KEYS[1], ARGV[2])
return ARGV[2]
`);

/**
 * KEYS: user's lists, the list. ARGV: max lists, then the list's id,
 * ownerId, name, isDefault, createdAtMs, updatedAtMs. Returns "ok" or "limit".
 */
export const insertListScript = new RedisScript(`${listFieldArgs}
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 'limit' end
writeList(KEYS[2], {ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]})
redis.call('ZADD', KEYS[1], ARGV[6], ARGV[2])
return 'ok'
`);

/** KEYS: the list. ARGV: name, updatedAtMs. Returns 1, or 0 when the list is missing. */
export const renameListScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'updatedAtMs', ARGV[2])
return 1
`);
