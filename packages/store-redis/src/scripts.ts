import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script and its SHA1, for EVALSHA. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

// Shared by the scripts that write sessions. A session record is one string (record.ts): a head
// "v:x:c|" (version, expiry in whole epoch ms, createdAt) and a body only TypeScript reads. Its TTL
// is k, the instant the store may drop it: max(expiresAt, retainUntil), so an expired record stays
// readable by getExpired until then. The user's index scores each id by k, so its own TTL is its
// top score and it still lists retained ids (for delete-by-user); readers of live records filter
// on x. In Cluster, record and index keys share the user's hash tag, so every key a script touches
// is in one slot; on a single node a record key is named by its id alone. fetch also reads a
// record 0.1 wrote (a hash at s with r = JSON, v, x, c) in the same form; writes replace it.
const LIBRARY = `
local function head(val)
  local v, x, c = string.match(val, '^(%d+):(%d+):([^|]*)|')
  return tonumber(v), tonumber(x), tonumber(c)
end
local function body(val) return string.sub(val, string.find(val, '|', 1, true) + 1) end
local function fetch(r, s)
  local val = redis.call('GET', r)
  if val or not s then return val, false end
  local old = redis.call('HMGET', s, 'r', 'v', 'x', 'c')
  if not old[1] then return false, false end
  return old[2] .. ':' .. old[3] .. ':' .. (old[4] or '') .. '|' .. old[1], true
end
local function reindex(u, now)
  redis.call('ZREMRANGEBYSCORE', u, '-inf', now)
  local top = redis.call('ZRANGE', u, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIREAT', u, top[2]) end
end
local function put(r, u, id, val, k, now)
  redis.call('SET', r, val, 'PXAT', k)
  redis.call('ZADD', u, k, id)
  reindex(u, now)
end
-- For CREATE and CREATE_CAPPED, whose ARGV starts val, k, now, id.
local function taken(r, p)
  if p and redis.call('EXISTS', p) == 1 then return true end
  local cur = redis.call('GET', r)
  if not cur then return false end
  local _, x = head(cur)
  return x > tonumber(ARGV[3])
end
local function drop(r, s, u, id, now)
  local val = fetch(r, s)
  redis.call('DEL', r, s)
  redis.call('ZREM', u, id)
  if not val then return false end
  local _, x = head(val)
  return x > tonumber(now)
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
-- The single-node key layout of keys.ts, for scripts that follow a 0.1 id -> tag pointer.
local function rkey(prefix, id) return prefix .. 'r:' .. id end
local function skey(prefix, tag, id) return prefix .. 's:{' .. tag .. '}:' .. id end
local function ukey(prefix, tag) return prefix .. 'u:{' .. tag .. '}' end
`;

function script(body: string): Script {
  const source = `${LIBRARY}${body}`;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS record, index[, pointer of 0.1 (single node)]; ARGV value, k, now, id. 1, or 0 for a
 * duplicate id. In Cluster the caller has claimed the pointer already.
 */
export const CREATE: Script = script(`
if taken(KEYS[1], KEYS[3]) then return 0 end
put(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[2], ARGV[3])
return 1
`);

/**
 * KEYS record, index[, pointer of 0.1]; ARGV value, k, now, id, record key base, 0.1 session key
 * base, pointer key base ('' in Cluster: the caller deletes evicted pointers), max, evict (1 or
 * 0), notBefore, cap now. Returns { -1 } for a duplicate id, else { created (1 or 0), evicted ids }.
 *
 * One script, so nothing else runs between the count and the insert. Counted: the user's records
 * with x > cap now and createdAt > notBefore (from the head, or the JSON of 0.1 records written
 * before c existed); evicted oldest first by createdAt, then id compared byte by byte (Lua's `<`
 * on strings follows the server's locale).
 */
export const CREATE_CAPPED: Script = script(`
if taken(KEYS[1], KEYS[3]) then return { -1 } end
local now, notBefore, max = tonumber(ARGV[11]), tonumber(ARGV[10]), tonumber(ARGV[8])
local held = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], '(' .. ARGV[11], '+inf', 'BYSCORE')) do
  local val = fetch(ARGV[5] .. id, ARGV[6] .. id)
  if val then
    local _, x, c = head(val)
    if x > now then
      if not c then c = tonumber(cjson.decode(body(val))['createdAt']) end
      if c > notBefore then held[#held + 1] = { c, id } end
    end
  end
end
local evicted = {}
if #held >= max then
  if ARGV[9] ~= '1' then return { 0, evicted } end
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
    drop(ARGV[5] .. id, ARGV[6] .. id, KEYS[2], id, ARGV[3])
    if ARGV[7] ~= '' then redis.call('DEL', ARGV[7] .. id) end
    evicted[#evicted + 1] = id
  end
end
put(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[2], ARGV[3])
return { 1, evicted }
`);

/**
 * KEYS record, index, 0.1 session[, 0.1 pointer (single node)]; ARGV value, expected, now, id, k,
 * body start. 0 when refused (an expired record, retained or not, is never updated; nor one of
 * another user: on a single node the record key does not name the user, so the stored body must
 * start with the new one's user id); 2 when written with a later k in Cluster (the caller extends
 * the pointer, which expires at the latest k its session ever had), else 1. A 0.1 record is
 * rewritten in the current form, and its hash (and single-node pointer) deleted.
 */
export const UPDATE: Script = script(`
local cur, legacy = fetch(KEYS[1], KEYS[3])
if not cur then return 0 end
local v, x = head(cur)
if v ~= tonumber(ARGV[2]) or x <= tonumber(ARGV[3]) then return 0 end
if not legacy and string.sub(body(cur), 1, #ARGV[6]) ~= ARGV[6] then return 0 end
local kept = redis.call('PEXPIRETIME', legacy and KEYS[3] or KEYS[1])
put(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[5], ARGV[3])
if legacy then redis.call('DEL', KEYS[3]) end
if KEYS[4] then
  if legacy then redis.call('DEL', KEYS[4]) end
  return 1
end
if tonumber(ARGV[5]) > kept then return 2 end
return 1
`);

/** Cluster: KEYS record, index, 0.1 session; ARGV now, id. 1 if a live session was deleted. */
export const DELETE: Script = script(`
local live = drop(KEYS[1], KEYS[3], KEYS[2], ARGV[2], ARGV[1])
reindex(KEYS[2], ARGV[1])
return live and 1 or 0
`);

/**
 * Single node: KEYS record, 0.1 pointer; ARGV prefix, id, now. { 1 if a live session was deleted,
 * the deleted value } for a current record (the caller then removes its index entry, which only
 * the body's user id locates); { live } for a 0.1 record, deleted with its index entry and pointer.
 */
export const DELETE_ONE: Script = script(`
local val = redis.call('GET', KEYS[1])
if val then
  redis.call('DEL', KEYS[1])
  local _, x = head(val)
  return { x > tonumber(ARGV[3]) and 1 or 0, val }
end
local tag = redis.call('GET', KEYS[2])
if not tag then return { 0 } end
local u = ukey(ARGV[1], tag)
local live = drop(KEYS[1], skey(ARGV[1], tag, ARGV[2]), u, ARGV[2], ARGV[3])
reindex(u, ARGV[3])
redis.call('DEL', KEYS[2])
return { live and 1 or 0 }
`);

/** KEYS index; ARGV record key base, 0.1 session key base, now. id, value, ... of every live session. */
export const LIST: Script = script(`
local out, now = {}, tonumber(ARGV[3])
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '(' .. ARGV[3], '+inf', 'BYSCORE')) do
  local val = fetch(ARGV[1] .. id, ARGV[2] .. id)
  if val then
    local _, x = head(val)
    if x > now then
      out[#out + 1] = id
      out[#out + 1] = val
    end
  end
end
return out
`);

/**
 * KEYS index; ARGV record key base, 0.1 session key base, pointer key base ('' to leave pointers to
 * the caller), now, ids to keep... Returns { live sessions deleted, every id deleted }.
 */
export const DELETE_USER: Script = script(`
local keep = {}
for i = 5, #ARGV do keep[ARGV[i]] = true end
local count, gone = 0, {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not keep[id] then
    if drop(ARGV[1] .. id, ARGV[2] .. id, KEYS[1], id, ARGV[4]) then count = count + 1 end
    if ARGV[3] ~= '' then redis.call('DEL', ARGV[3] .. id) end
    gone[#gone + 1] = id
  end
end
reindex(KEYS[1], ARGV[4])
return { count, gone }
`);

/**
 * KEYS index; ARGV record key base, 0.1 session key base, now, expiring before. { live sessions,
 * those expiring by then }, judged by each record's x: the index also holds expired records kept
 * for retention.
 */
export const COUNT: Script = script(`
local now, before, live, soon = tonumber(ARGV[3]), tonumber(ARGV[4]), 0, 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '(' .. ARGV[3], '+inf', 'BYSCORE')) do
  local val = fetch(ARGV[1] .. id, ARGV[2] .. id)
  if val then
    local _, x = head(val)
    if x > now then
      live = live + 1
      if x <= before then soon = soon + 1 end
    end
  end
end
return { live, soon }
`);

/**
 * Single node only, for a record 0.1 wrote: reads the session hash named by the pointer (an
 * undeclared key, which a standalone server allows and Cluster refuses). KEYS pointer; ARGV
 * prefix, id. The record's value, in the current head-and-body form.
 */
export const GET_LEGACY: Script = script(`
local tag = redis.call('GET', KEYS[1])
if not tag then return false end
return (fetch(rkey(ARGV[1], ARGV[2]), skey(ARGV[1], tag, ARGV[2])))
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
