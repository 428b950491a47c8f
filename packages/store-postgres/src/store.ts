import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type Clock,
  GLOBAL_SCOPE,
  type Logger,
  type RevocationEvent,
  type SessionRecord,
  type SessionStore,
  StoreError,
  type StoreStats,
  type StoreStatsOptions,
  wrapStore,
} from '@sess/core';
import type pg from 'pg';
import { Broadcast } from './broadcast.ts';
import { type PostgresStoreOptions, validate } from './options.ts';
import { createPool, errorCode, transaction } from './pool.ts';
import type { Names } from './schema.ts';
import { DELETE_BATCH_SIZE, statements } from './sql.ts';
import { backstop } from './timeout.ts';

/** The Postgres {@link SessionStore}; `deleteExpired`, `subscribe` and `close` are always present. */
export interface PostgresStore extends SessionStore {
  readonly name: 'postgres';
  /** The Pool the store queries: yours, or the one it created from `url` (for `migrate`). */
  readonly pool: pg.Pool;
  createCapped: NonNullable<SessionStore['createCapped']>;
  getExpired: NonNullable<SessionStore['getExpired']>;
  recentRevocations: NonNullable<SessionStore['recentRevocations']>;
  deleteExpired(now: number): Promise<number>;
  stats(now: number, options: StoreStatsOptions): Promise<StoreStats>;
  subscribe(listener: (event: RevocationEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * A {@link SessionStore} on PostgreSQL through pg, for any number of app instances sharing one
 * database. Run {@link migrate} (or apply `schema.sql`) first: the store never runs DDL.
 *
 * - Each operation is one statement. `update` is a true compare-and-set
 *   (`UPDATE ... WHERE id = $1 AND version = $2 AND expires_at > $now`): among concurrent callers
 *   exactly one wins, across instances too.
 * - `createCapped` is one transaction holding a per-user advisory lock, so concurrent logins of
 *   one user (from any instance) take turns between their count and their insert.
 * - Expiry is enforced on read with `clock`. A record is kept until `retainUntil ?? expiresAt`
 *   (for `getExpired`); `deleteExpired(now)` (`SessionManager.cleanup()`) reaps rows past that,
 *   in batches of {@link DELETE_BATCH_SIZE} rows (`FOR UPDATE SKIP LOCKED`, so it never waits
 *   on a row a request holds), yielding to the event loop in between.
 * - `deny` and `setNotBefore` upsert with `GREATEST` and `pg_notify` in the same statement, so an
 *   acknowledged revocation has been broadcast. Each row keeps `written_at` (the store's clock at
 *   its latest write, never lowered), and `recentRevocations` is one indexed `UNION ALL` over it. `subscribe` LISTENs on a dedicated connection that
 *   reconnects by itself; it opens on the first subscriber and closes with the last one.
 * - Every error rejects the operation; a Pool `error` listener keeps an idle connection's failure
 *   from crashing the process. A duplicate id rejects with a `StoreError` (`reason:
 *   'duplicate-id'`), and `timeout` bounds each operation: through the Pool's own timeouts for a
 *   Pool created from `url`, with a timer for yours (see {@link PostgresStoreOptions.timeout}).
 *
 * @example
 * ```ts
 * import { createSessionManager } from '@sess/core';
 * import { migrate, postgresStore } from '@sess/store-postgres';
 *
 * const store = postgresStore({ url: process.env.DATABASE_URL! });
 * await migrate(store.pool);
 * const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
 * setInterval(() => void sess.cleanup().catch(console.error), 10 * 60_000).unref();
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const { clock, logger, timeoutMs, names, channel } = validate(options);
  const { pool } = options;
  const owned = pool === undefined;
  const target = pool ?? createPool(options.url!, timeoutMs, options.poolOptions);
  if (!owned) warnWithoutTimeouts(target, logger);

  const onPoolError = (error: Error): void => {
    logger.warn('postgresStore: an idle pool connection failed; the pool replaces it', {
      error: errorCode(error),
    });
  };
  target.on('error', onPoolError);
  // pg hands every client of a Pool the Pool's own options: the LISTEN client connects the same way.
  const broadcast = new Broadcast(target.options, channel, logger, options.reconnect ?? {});
  let closing: Promise<void> | undefined;

  const store = createStore(target, names, channel, clock, broadcast, () => {
    closing ??= (async () => {
      await broadcast.close();
      if (owned) await target.end();
      else target.off('error', onPoolError);
    })();
    return closing;
  });
  if (owned) return store; // the Pool's own timeouts, derived from `timeout`, bound it
  const bounded = wrapStore(store, backstop(target, timeoutMs)) as PostgresStore;
  return { ...bounded, pool: target };
}

function warnWithoutTimeouts(pool: pg.Pool, logger: Logger): void {
  const missing = (['connectionTimeoutMillis', 'statement_timeout'] as const).filter(
    (option) => !pool.options[option],
  );
  if (missing.length > 0) {
    logger.warn('postgresStore: the Pool has no timeouts; a stuck server can make requests hang', {
      missing,
    });
  }
}

// When a revocation was written, in whole ms for the bigint column: rounded up, so that it is
// never before the clock reading (a since at that reading still finds it).
const writtenAt = (clock: Clock): number => Math.ceil(clock.now());

// A time compared with a bigint column: integers compare the same, infinities clamp.
function bigintBound(ms: number): number {
  if (Number.isNaN(ms)) throw new TypeError('postgresStore: times must be epoch milliseconds');
  return Math.min(Math.max(ms, Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}

type Creation = 'create' | 'createCapped';
const duplicate = (operation: Creation): StoreError =>
  new StoreError(operation, { reason: 'duplicate-id' });

function createStore(
  pool: pg.Pool,
  names: Names,
  channel: string,
  clock: Clock,
  broadcast: Broadcast,
  close: () => Promise<void>,
): PostgresStore {
  const sql = statements(names);
  let closed = false;
  // Records travel as JSON text and counts are read with Number(): the result is the same whatever
  // global type parsers (jsonb, int8) the application has installed on pg.
  const row = (record: SessionRecord) => [
    record.id,
    record.userId,
    record.expiresAt,
    record.version,
    JSON.stringify(record),
    record.retainUntil ?? null,
  ];
  const parse = ({ record }: { record: string }): SessionRecord =>
    JSON.parse(record) as SessionRecord;

  return {
    name: 'postgres',
    pool,

    async create(record) {
      const { rowCount } = await pool.query(sql.insert, [...row(record), clock.now()]);
      if (rowCount !== 1) throw duplicate('create');
    },

    async createCapped(record, { max, evictOldest, notBefore, now }) {
      if (!Number.isInteger(max) || max < 1) {
        throw new TypeError('postgresStore.createCapped: cap.max must be an integer >= 1');
      }
      // Why an advisory lock: the race is between transactions that each count the user's rows and
      // then insert. SELECT ... FOR UPDATE locks only rows that exist, so two logins of a user with
      // no (or too few) rows both count, both insert, and exceed the cap; SERIALIZABLE would catch
      // it but fails one of them, to be retried. The transaction-scoped lock on the user makes
      // concurrent createCapped calls of one user take turns instead, across every instance, and
      // is released by COMMIT or ROLLBACK whatever happens. Other users never wait.
      return transaction(pool, async (client) => {
        await client.query(sql.capLock, [record.userId]);
        if ((await client.query(sql.liveId, [record.id, clock.now()])).rows.length > 0)
          throw duplicate('createCapped');
        const { rows } = await client.query<{ id: string }>(sql.counted, [
          record.userId,
          now,
          notBefore,
        ]);
        let evicted: string[] = [];
        if (rows.length >= max) {
          if (!evictOldest) return { created: false, evicted };
          evicted = rows.slice(0, rows.length - max + 1).map((r) => r.id);
          await client.query(sql.evict, [evicted]);
        }
        const { rowCount } = await client.query(sql.insert, [...row(record), clock.now()]);
        if (rowCount !== 1) throw duplicate('createCapped');
        return { created: true, evicted };
      });
    },

    async get(id) {
      const { rows } = await pool.query(sql.get, [id, clock.now()]);
      return rows.length === 0 ? null : parse(rows[0]);
    },

    async getExpired(id) {
      const { rows } = await pool.query(sql.getExpired, [id, clock.now()]);
      return rows.length === 0 ? null : parse(rows[0]);
    },

    async update(record, expectedVersion) {
      const params = [...row(record), expectedVersion, clock.now()];
      return (await pool.query(sql.update, params)).rowCount === 1;
    },

    async delete(id) {
      const { rows } = await pool.query(sql.delete, [id, clock.now()]);
      return rows[0]?.live === true;
    },

    async listByUser(userId) {
      return (await pool.query(sql.list, [userId, clock.now()])).rows.map(parse);
    },

    async deleteByUser(userId, deleteOptions) {
      const except = [...(deleteOptions?.except ?? [])];
      const { rows } = await pool.query(sql.deleteByUser, [userId, except, clock.now()]);
      return Number(rows[0].live);
    },

    async deny(key, expiresAt) {
      await broadcast.ready();
      await pool.query(sql.deny, [key, expiresAt, channel, writtenAt(clock)]);
    },

    async isDenied(key) {
      return (await pool.query(sql.isDenied, [key, clock.now()])).rows.length > 0;
    },

    async setNotBefore(scope, at) {
      await broadcast.ready();
      await pool.query(sql.setNotBefore, [scope, at, channel, writtenAt(clock)]);
    },

    async getNotBefore(userId) {
      const { rows } = await pool.query(sql.getNotBefore, [userId, GLOBAL_SCOPE]);
      return Number(rows[0].at);
    },

    async recentRevocations(since, now) {
      const { rows } = await pool.query<{ type: string; subject: string; value: string }>(
        sql.recent,
        [Math.ceil(bigintBound(since)), Math.floor(bigintBound(now)), GLOBAL_SCOPE],
      );
      return rows.map(
        ({ type, subject, value }): RevocationEvent =>
          type === 'deny'
            ? { type: 'deny', key: subject, expiresAt: Number(value) }
            : { type: 'not-before', scope: subject, at: Number(value) },
      );
    },

    async deleteExpired(now) {
      let total = 0;
      for (const reap of [sql.reapSessions, sql.reapDeny]) {
        for (;;) {
          const deleted = (await pool.query(reap, [now])).rowCount ?? 0;
          total += deleted;
          if (deleted < DELETE_BATCH_SIZE) break;
          await nextTurn(); // let requests in between batches
        }
      }
      return total;
    },

    async stats(now, { expiringBefore, topUsers }) {
      const { rows } = await pool.query(sql.stats, [now, expiringBefore, Math.max(0, topUsers)]);
      const { sessions, users, expiring, top } = rows[0];
      return {
        sessions: Number(sessions),
        users: Number(users),
        expiringSoon: Number(expiring),
        topUsers: (JSON.parse(top) as StoreStats['topUsers']).map((u) => ({
          userId: u.userId,
          sessions: Number(u.sessions),
        })),
      };
    },

    subscribe(listener) {
      if (closed) throw new StoreError('subscribe', { reason: 'closed' });
      return broadcast.add(listener);
    },

    async close() {
      closed = true;
      await close();
    },
  };
}
