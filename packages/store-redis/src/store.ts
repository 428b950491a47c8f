import {
  type RevocationEvent,
  type SessionStore,
  type StoreInterceptor,
  type StoreStats,
  type StoreStatsOptions,
  timeoutInterceptor,
  wrapStore,
} from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import { createBroadcast } from './broadcast.ts';
import { createClient, isCluster } from './client.ts';
import { durability as writePath } from './durability.ts';
import { keyLayout } from './keys.ts';
import { createOperations } from './operations.ts';
import { type RedisStoreOptions, validate } from './options.ts';
import { outageLog } from './outage-log.ts';
import { countSessions } from './stats.ts';

/** The Redis {@link SessionStore}: `subscribe` and `close` are always present. */
export interface RedisStore extends SessionStore {
  readonly name: 'redis';
  createCapped: NonNullable<SessionStore['createCapped']>;
  getExpired: NonNullable<SessionStore['getExpired']>;
  recentRevocations: NonNullable<SessionStore['recentRevocations']>;
  stats(now: number, options: StoreStatsOptions): Promise<StoreStats>;
  subscribe(listener: (event: RevocationEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * A {@link SessionStore} on Redis through ioredis, for a single node (with or without Sentinel) or a
 * Redis Cluster.
 *
 * - A user's index (and, in Cluster, session keys) share a hash tag (a digest of the user id), so the per-user writes
 *   (create with its index entry, update, delete, delete-by-user with `except`) are single Lua
 *   scripts, atomic even in Cluster. `update` is a compare-and-set in Lua.
 * - `createCapped` is one Lua script on the user's slot: it counts the user's live sessions from
 *   the index, evicts the oldest and inserts, with nothing else running in between.
 * - A session key lives until `retainUntil ?? expiresAt` (so `getExpired` can read it); the user's
 *   index scores ids by that instant and outlives its last member, while every read of live
 *   sessions filters on `expiresAt`.
 * - Every key carries a TTL that follows the session's expiry (index sets included); deny-list
 *   entries expire with what they deny; watermarks after `watermarkTtl`. Expiry is also checked on
 *   read against `clock`.
 * - `deny` and `setNotBefore` publish on `<prefix>revocations`; `subscribe` listens on a dedicated
 *   connection opened on the first subscription, so revocations reach every instance.
 * - They also log each write in four sorted sets under `{<prefix>revocations}` (when, and the value
 *   kept), in the same script on a single node and in a script of their own, first, in Cluster;
 *   `recentRevocations` is one script over them (plus the global watermark's own key). Entries
 *   that are over leave on later writes and the sets expire with their last entry. The first
 *   `recentRevocations` of a prefix logs, by SCAN, what versions before the log left.
 * - Every failure rejects (core turns it into a 503), and no operation outlives `timeout`: past it
 *   the operation rejects with a `StoreError` (`reason: 'timeout'`). A client created from `url`
 *   fails fast; see {@link failFastOptions}. A duplicate id rejects with `reason: 'duplicate-id'`.
 * - Errors nobody awaits (reconnect attempts, a listener that threw) go to `logger`: one line when
 *   an outage starts and one when the store's own client is ready again, by error code only.
 * - With `durability`, every write waits for replicas (`WAIT`) before it is answered; see
 *   {@link RedisStoreOptions.durability}.
 * - A session is one compact string (about 550 bytes with a 200-character user agent). On a single
 *   node its key is named by the id, so `get(id)` is one `GET` from any instance and there is no
 *   pointer key. In Cluster the key carries the user's hash tag and an id → tag pointer remains:
 *   ids this instance has seen map to their slot in process ({@link TAG_CACHE_SIZE} entries; an id
 *   never changes user), so a hit is one `GET`; a miss reads the pointer first.
 * - Sessions written by 0.1 (a hash and a pointer) are read until they expire and rewritten in the
 *   current layout by their next update.
 * - `stats` (for `sess stats`) SCANs the per-user index sets, never `KEYS`, and ZCOUNTs each one.
 *
 * Needs Redis 7.0 or later. Key layout, TTLs and operations: docs/stores/redis.md.
 *
 * @example
 * ```ts
 * import { createSessionManager } from '@sess/core';
 * import { redisStore } from '@sess/store-redis';
 *
 * const store = redisStore({ url: process.env.REDIS_URL! });
 * const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const { clock, logger, timeoutMs, watermarkTtlMs, durability } = validate(options);
  const outage = outageLog(logger);
  const keys = keyLayout(options.prefix);
  const owned = options.client === undefined;
  const client = options.client ?? createClient(options, options.clientOptions, outage.failed);
  if (owned) client.on('ready', outage.ready);
  const broadcast = createBroadcast(client, keys.channel, logger, outage);
  const ops = createOperations({
    client,
    keys,
    clock,
    broadcast,
    watermarkTtlMs,
    writes: writePath(client, durability),
  });

  const operations: SessionStore = {
    name: 'redis',
    ...ops,
    stats: (now, statsOptions) => countSessions(client, keys, now, statsOptions),
  };
  const bound = backstop(client, timeoutMs, durability === null);
  const store = (bound === null ? operations : wrapStore(operations, bound)) as RedisStore;

  return {
    ...store,
    subscribe: (listener) => broadcast.subscribe(listener),

    async close() {
      broadcast.close();
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        // QUIT fails when the connection is already gone; dropping it is all that is left to do.
        client.disconnect();
      }
    },
  };
}

// The backstop behind the client's own timeouts, or null where none is needed. On a single node
// every operation is one command, so a client with a commandTimeout within the bound needs no
// timer of ours, nor a wrapper around each call (no allocation on the hot path). Otherwise a
// timer races the operation (`timeoutInterceptor`, which still handles its late answer). With
// durability a write is several commands (a write and its wait, a version check): timed too.
// `stats` is not bounded: it scans every index, and each of its commands is bounded by the client.
function backstop(
  client: Redis | Cluster,
  timeoutMs: number,
  singleCommand: boolean,
): StoreInterceptor | null {
  const commandTimeout = isCluster(client) ? undefined : client.options.commandTimeout;
  const bounded =
    singleCommand && typeof commandTimeout === 'number' && commandTimeout <= timeoutMs;
  return bounded
    ? null
    : timeoutInterceptor(timeoutMs, 'Redis', (operation) => operation === 'stats');
}
