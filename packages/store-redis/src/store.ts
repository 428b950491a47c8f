import {
  type RevocationEvent,
  type SessionStore,
  type StoreStats,
  type StoreStatsOptions,
  systemClock,
} from '@sess/core';
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
  stats(now: number, options: StoreStatsOptions): Promise<StoreStats>;
  subscribe(listener: (event: RevocationEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * A {@link SessionStore} on Redis through ioredis, for a single node (with or without Sentinel) or a
 * Redis Cluster.
 *
 * - All keys of one user share a hash tag (a digest of the user id), so the per-user writes
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
 * - Every failure rejects (core turns it into a 503), and no operation outlives `timeout`. A
 *   client created from `url` fails fast; see {@link failFastOptions}.
 * - With `durability`, every write waits for replicas (`WAIT`) before it is answered; see
 *   {@link RedisStoreOptions.durability}.
 * - `get(id)` is one round trip: ids this instance has seen map to their user's slot in process
 *   ({@link TAG_CACHE_SIZE} entries; an id never changes user), so a hit is a plain `HGET`. On a
 *   miss a single node follows the id → user pointer inside one script; a Cluster (where a script
 *   may only touch its own slot) reads the pointer first.
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
  const { timeoutMs, watermarkTtlMs, durability } = validate(options);
  const { clock = systemClock } = options;
  const report = options.onError ? null : outageLog();
  const onError = options.onError ?? report!.onError;
  const keys = keyLayout(options.prefix);
  const owned = options.client === undefined;
  const client = options.client ?? createClient(options, options.clientOptions, onError);
  if (report && owned) client.on('ready', report.ready);
  const broadcast = createBroadcast(client, keys.channel, onError);
  const ops = createOperations({
    client,
    keys,
    clock,
    broadcast,
    watermarkTtlMs,
    writes: writePath(client, durability),
  });

  // The backstop behind the client's own timeouts. On a single node every operation is one command,
  // so a client with a commandTimeout within the bound needs no timer of ours (no allocation on the
  // hot path). Otherwise a timer races the operation; its late answer is still handled by the
  // `then` below, so it can never become an unhandled rejection.
  // With durability a write is several commands (a write and its wait, a version check): timed too.
  const commandTimeout = isCluster(client) ? undefined : client.options.commandTimeout;
  const bounded =
    durability === null && typeof commandTimeout === 'number' && commandTimeout <= timeoutMs;
  const within = <T>(operation: string, pending: Promise<T>): Promise<T> =>
    bounded
      ? pending
      : new Promise<T>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(
              new Error(`redisStore.${operation}: no answer from Redis within ${timeoutMs} ms`),
            );
          }, timeoutMs);
          pending.then(
            (value) => {
              clearTimeout(timer);
              resolve(value);
            },
            (error: unknown) => {
              clearTimeout(timer);
              reject(error);
            },
          );
        });

  return {
    name: 'redis',
    create: (record) => within('create', ops.create(record)),
    createCapped: (record, cap) => within('createCapped', ops.createCapped(record, cap)),
    get: (id) => within('get', ops.get(id)),
    getExpired: (id) => within('getExpired', ops.getExpired(id)),
    update: (record, expectedVersion) => within('update', ops.update(record, expectedVersion)),
    delete: (id) => within('delete', ops.delete(id)),
    listByUser: (userId) => within('listByUser', ops.listByUser(userId)),
    deleteByUser: (userId, deleteOptions) =>
      within('deleteByUser', ops.deleteByUser(userId, deleteOptions)),
    deny: (key, expiresAt) => within('deny', ops.deny(key, expiresAt)),
    isDenied: (key) => within('isDenied', ops.isDenied(key)),
    setNotBefore: (scope, at) => within('setNotBefore', ops.setNotBefore(scope, at)),
    getNotBefore: (userId) => within('getNotBefore', ops.getNotBefore(userId)),
    // Not bounded by `timeout`: it scans every index; each of its commands is bounded by the client.
    stats: (now, statsOptions) => countSessions(client, keys, now, statsOptions),
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
