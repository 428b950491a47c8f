import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script and its SHA1, for EVALSHA. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

// Shared by the scripts that write sessions. A session hash holds r (the record JSON), v (version),
// x (expiry, epoch ms) and c (createdAt; absent on records written before createCapped existed).
// The hash's TTL is k, the instant the store may drop the record: max(expiresAt, retainUntil), so an
// expired record stays readable by getExpired until then. The user's index scores each id by k, so
// its own TTL is its top score and it still lists retained ids (for delete-by-user); readers of
// live records filter on x. Session and index keys share the user's hash tag, so every key a script
// touches is in one slot.
const LIBRARY = `
local function reindex(u, now)
  redis.call('ZREMRANGEBYSCORE', u, '-inf', now)
  local top = redis.call('ZRANGE', u, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIREAT', u, top[2]) end
end
local function write(s, u, id, json, version, x, k, now)
  redis.call('HSET', s, 'r', json, 'v', version, 'x', x)
  redis.call('PEXPIREAT', s, k)
  redis.call('ZADD', u, k, id)
  reindex(u, now)
end
-- For CREATE and CREATE_CAPPED, whose ARGV starts json, version, x, k, createdAt, now, id, tag.
local function taken(s, p)
  if p and redis.call('EXISTS', p) == 1 then return true end
  local old = redis.call('HGET', s, 'x')
  return old and tonumber(old) > tonumber(ARGV[6])
end
local function insert(s, u, p)
  write(s, u, ARGV[7], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6])
  redis.call('HSET', s, 'c', ARGV[5])
  if p then redis.call('SET', p, ARGV[8], 'PXAT', ARGV[4]) end
end
local function drop(s, u, id, now)
  local x = redis.call('HGET', s, 'x')
  redis.call('DEL', s)
  redis.call('ZREM', u, id)
  return x ~= false and tonumber(x) > tonumber(now)
end
-- The revocation log: w scores each member (a deny key or a scope) by when it was last written, v
-- by its value (the expiry or watermark kept). Scores only rise (GT), so racing writes leave the
-- latest time and the highest value. Members whose value is at or below trim are over (an expired
-- deny entry, a watermark past its TTL): up to 100 go per write, which adds one. Both
-- sets expire at their highest value plus extra.
local function logwrite(w, v, member, written, value, trim, extra)
  redis.call('ZADD', w, 'GT', written, member)
  redis.call('ZADD', v, 'GT', value, member)
  local over = redis.call('ZRANGE', v, '-inf', trim, 'BYSCORE', 'LIMIT', 0, 100)
  if #over > 0 then
    redis.call('ZREM', v, unpack(over))
    redis.call('ZREM', w, unpack(over))
  end
  local top = redis.call('ZRANGE', v, -1, -1, 'WITHSCORES')
  if top[2] then
    local at = string.format('%.0f', math.ceil(tonumber(top[2]) + tonumber(extra)))
    redis.call('PEXPIREAT', v, at)
    redis.call('PEXPIREAT', w, at)
  end
end
-- The key layout of keys.ts, for scripts that follow an id -> tag pointer (single node only).
local function skey(prefix, tag, id) return prefix .. 's:{' .. tag .. '}:' .. id end
local function ukey(prefix, tag) return prefix .. 'u:{' .. tag .. '}' end
`;

function script(body: string): Script {
  const source = `${LIBRARY}${body}`;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS session, index[, pointer]; ARGV json, version, x, k, createdAt, now, id, tag. 1, or 0 for a
 * duplicate id. Without the pointer key (Cluster) the caller has claimed the pointer already.
 */
export const CREATE: Script = script(`
if taken(KEYS[1], KEYS[3]) then return 0 end
insert(KEYS[1], KEYS[2], KEYS[3])
return 1
`);

/**
 * KEYS session, index[, pointer]; ARGV json, version, x, k, createdAt, now, id, tag, session key
 * base, pointer key base ('' in Cluster: the caller deletes evicted pointers), max, evict (1 or 0),
 * notBefore, cap now. Returns { -1 } for a duplicate id, else { created (1 or 0), evicted ids }.
 *
 * One script, so nothing else runs between the count and the insert. Counted: the user's records
 * with x > cap now and createdAt > notBefore (c, or the record JSON for records written before c
 * existed); evicted oldest first by createdAt, then id compared byte by byte (Lua's `<` on
 * strings follows the server's locale).
 */
export const CREATE_CAPPED: Script = script(`
if taken(KEYS[1], KEYS[3]) then return { -1 } end
local now, notBefore, max = tonumber(ARGV[14]), tonumber(ARGV[13]), tonumber(ARGV[11])
local held = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], '(' .. ARGV[14], '+inf', 'BYSCORE')) do
  local s = ARGV[9] .. id
  local xc = redis.call('HMGET', s, 'x', 'c')
  if xc[1] and tonumber(xc[1]) > now then
    local c = xc[2] and tonumber(xc[2])
    if not c then c = tonumber(cjson.decode(redis.call('HGET', s, 'r'))['createdAt']) end
    if c > notBefore then held[#held + 1] = { c, id } end
  end
end
local evicted = {}
if #held >= max then
  if ARGV[12] ~= '1' then return { 0, evicted } end
  table.sort(held, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    for i = 1, math.min(#a[2], #b[2]) do
      local x, y = string.byte(a[2], i), string.byte(b[2], i)
      if x ~= y then return x < y end
    end
    return #a[2] < #b[2]
  end)
  for i = 1, #held - max + 1 do
    local id = held[i][2]
    drop(ARGV[9] .. id, KEYS[2], id, ARGV[6])
    if ARGV[10] ~= '' then redis.call('DEL', ARGV[10] .. id) end
    evicted[#evicted + 1] = id
  end
end
insert(KEYS[1], KEYS[2], KEYS[3])
return { 1, evicted }
`);

/**
 * KEYS session, index[, pointer]; ARGV json, expected, version, x, now, id, k. 0 when refused (an
 * expired record, retained or not, is never updated); 2 when written with a later k and no pointer
 * key was given (the caller extends the pointer), else 1. The pointer expires at the latest k its
 * session ever had (GT), so it never dies first.
 */
export const UPDATE: Script = script(`
local cur = redis.call('HMGET', KEYS[1], 'v', 'x')
if not cur[1] or tonumber(cur[1]) ~= tonumber(ARGV[2]) or tonumber(cur[2]) <= tonumber(ARGV[5]) then
  return 0
end
local kept = redis.call('PEXPIRETIME', KEYS[1])
write(KEYS[1], KEYS[2], ARGV[6], ARGV[1], ARGV[3], ARGV[4], ARGV[7], ARGV[5])
if KEYS[3] then
  redis.call('PEXPIREAT', KEYS[3], ARGV[7], 'GT')
elseif tonumber(ARGV[7]) > kept then
  return 2
end
return 1
`);

/** KEYS session, index; ARGV now, id. 1 if a live session was deleted. */
export const DELETE: Script = script(`
local live = drop(KEYS[1], KEYS[2], ARGV[2], ARGV[1])
reindex(KEYS[2], ARGV[1])
return live and 1 or 0
`);

/** KEYS index; ARGV session key base, now. The JSON of every live session of the user. */
export const LIST: Script = script(`
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '(' .. ARGV[2], '+inf', 'BYSCORE')) do
  local rx = redis.call('HMGET', ARGV[1] .. id, 'r', 'x')
  if rx[1] and tonumber(rx[2]) > tonumber(ARGV[2]) then out[#out + 1] = rx[1] end
end
return out
`);

/**
 * KEYS index; ARGV session key base, pointer key base ('' to leave pointers to the caller), now,
 * ids to keep... Returns { live sessions deleted, every id deleted }.
 */
export const DELETE_USER: Script = script(`
local keep = {}
for i = 4, #ARGV do keep[ARGV[i]] = true end
local count, gone = 0, {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not keep[id] then
    if drop(ARGV[1] .. id, KEYS[1], id, ARGV[3]) then count = count + 1 end
    if ARGV[2] ~= '' then redis.call('DEL', ARGV[2] .. id) end
    gone[#gone + 1] = id
  end
end
reindex(KEYS[1], ARGV[3])
return { count, gone }
`);

/**
 * KEYS index; ARGV session key base, now, expiring before. { live sessions, those expiring by then },
 * judged by each record's x: the index also holds expired records kept for retention.
 */
export const COUNT: Script = script(`
local now, before, live, soon = tonumber(ARGV[2]), tonumber(ARGV[3]), 0, 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '(' .. ARGV[2], '+inf', 'BYSCORE')) do
  local x = tonumber(redis.call('HGET', ARGV[1] .. id, 'x'))
  if x and x > now then
    live = live + 1
    if x <= before then soon = soon + 1 end
  end
end
return { live, soon }
`);

/**
 * Single node only: reads the session key named by the pointer (an undeclared key, which a
 * standalone server allows and Cluster refuses). KEYS pointer; ARGV prefix, id. The record JSON.
 */
export const GET_BY_POINTER: Script = script(`
local tag = redis.call('GET', KEYS[1])
if not tag then return false end
return redis.call('HGET', skey(ARGV[1], tag, ARGV[2]), 'r')
`);

/** Single node only, like GET_BY_POINTER. KEYS pointer; ARGV prefix, id, now. 1 if a live session was deleted. */
export const DELETE_BY_POINTER: Script = script(`
local tag = redis.call('GET', KEYS[1])
if not tag then return 0 end
local u = ukey(ARGV[1], tag)
local live = drop(skey(ARGV[1], tag, ARGV[2]), u, ARGV[2], ARGV[3])
reindex(u, ARGV[3])
redis.call('DEL', KEYS[1])
return live and 1 or 0
`);

/**
 * Raises a deny entry or a watermark and publishes the value kept. KEYS key[, log written, log
 * value]; ARGV value, expire-at (epoch ms), channel, message head (JSON up to the value)[, member,
 * written, trim, extra]. Keeps the stored value when it is not lower; publishing inside the script
 * means nothing is announced that was not written. With the log keys (single node: they are in
 * another slot) it logs the write with the value kept, in the same atomic step.
 */
export const RAISE: Script = script(`
local cur = redis.call('GET', KEYS[1])
local kept = ARGV[1]
if cur and tonumber(cur) >= tonumber(kept) then
  kept = cur
else
  redis.call('SET', KEYS[1], kept, 'PXAT', ARGV[2])
end
if KEYS[2] then logwrite(KEYS[2], KEYS[3], ARGV[5], ARGV[6], kept, ARGV[7], ARGV[8]) end
redis.call('PUBLISH', ARGV[3], ARGV[4] .. kept .. '}')
return kept
`);

/** Logs a revocation on its own (Cluster). KEYS log written, log value; ARGV member, written, value, trim, extra. */
export const LOG: Script = script(`
logwrite(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`);

/**
 * Reads the revocation log. KEYS deny written, deny until, marks written, marks at; ARGV since,
 * now. A flat list of triples: 'd', key, expiry for each deny key written at or after since and
 * live at now; 'w', scope, watermark for each scope set at or after since. Values as Redis
 * formats scores.
 */
export const RECENT: Script = script(`
local out, now = {}, tonumber(ARGV[2])
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[1], '+inf', 'BYSCORE')) do
  local expiry = redis.call('ZSCORE', KEYS[2], key)
  if expiry and tonumber(expiry) > now then
    out[#out + 1] = 'd'
    out[#out + 1] = key
    out[#out + 1] = expiry
  end
end
for _, scope in ipairs(redis.call('ZRANGE', KEYS[3], ARGV[1], '+inf', 'BYSCORE')) do
  local at = redis.call('ZSCORE', KEYS[4], scope)
  if at then
    out[#out + 1] = 'w'
    out[#out + 1] = scope
    out[#out + 1] = at
  end
end
return out
`);

/** Runs `script` by EVALSHA, falling back to EVAL (which also caches it) on NOSCRIPT. */
export async function runScript(
  client: Redis | Cluster,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    // Redis error replies start with their code; NOSCRIPT means this node's script cache lacks it
    // (restart, failover, SCRIPT FLUSH). Anything else is a real failure.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
