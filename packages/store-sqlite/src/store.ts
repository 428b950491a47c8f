import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type Clock,
  ConfigError,
  GLOBAL_SCOPE,
  type RevocationEvent,
  type SessionRecord,
  type SessionStore,
  StoreError,
  type StoreStats,
  type StoreStatsOptions,
} from '@sess/core';
import Database from 'better-sqlite3';
import { type SqliteStoreOptions, validate } from './options.ts';
import {
  DEFAULT_TABLE,
  hasColumn,
  migrate,
  REAP_AT,
  type Tables,
  tablesFor,
  WRITTEN_SINCE,
} from './schema.ts';

/** Rows deleted per statement by `deleteExpired`: each batch is its own short write transaction. */
export const DELETE_BATCH_SIZE = 500;

/** The SQLite {@link SessionStore}; every optional method but `subscribe` is present. */
export interface SqliteStore extends SessionStore {
  readonly name: 'sqlite';
  createCapped: NonNullable<SessionStore['createCapped']>;
  getExpired(id: string): Promise<SessionRecord | null>;
  recentRevocations: NonNullable<SessionStore['recentRevocations']>;
  deleteExpired(now: number): Promise<number>;
  stats(now: number, options: StoreStatsOptions): Promise<StoreStats>;
  close(): Promise<void>;
}

/**
 * A {@link SessionStore} on SQLite through better-sqlite3: the embedded default, for one server or
 * several processes sharing one database file.
 *
 * - Every statement is prepared once, here; each operation is a single statement, so `update` is a
 *   true compare-and-set (`UPDATE ... WHERE id = ? AND version = ? AND expires_at > ?`) even with
 *   other processes writing the same file.
 * - `createCapped` counts, evicts and inserts in one `BEGIN IMMEDIATE` transaction: it takes the
 *   database's write lock before it reads, so no other connection or process can write between
 *   the count and the insert.
 * - Expiry is enforced on read with `clock`; a record is kept until `retainUntil ?? expiresAt`
 *   (for `getExpired`), and rows past that are removed by `deleteExpired(now)`
 *   (`SessionManager.cleanup()`), in batches of {@link DELETE_BATCH_SIZE} rows that yield to the
 *   event loop in between, so reaping never holds the write lock for long.
 * - `stats` counts live rows with two indexed queries in one read transaction.
 * - Deny and watermark rows keep `written_at` (the store's clock at their latest write, never
 *   lowered); `recentRevocations` is one indexed query over it, for processes that keep a
 *   revocation replica (it is how they learn of other processes' revocations, as there is no
 *   broadcast).
 * - No `subscribe`: other processes sharing the file could not be notified, so revocation caches
 *   read through to the database instead of trusting a broadcast that would miss them.
 * - Every error (locked database, closed connection, missing table) rejects the operation; a
 *   write waits at most `timeout` for a lock another process holds. A duplicate id rejects with a
 *   `StoreError` (`reason: 'duplicate-id'`).
 * - The file is a path (`database`) or a `file:` URL (`url`); see {@link SqliteStoreOptions.url}.
 *   Without `migrate` it must exist already (better-sqlite3's `SQLITE_CANTOPEN` otherwise): a
 *   mistyped path never creates an empty database.
 *
 * @example
 * ```ts
 * import { createSessionManager } from '@sess/core';
 * import { sqliteStore } from '@sess/store-sqlite';
 *
 * const store = sqliteStore({ database: 'data/sessions.db', migrate: true });
 * const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
 * setInterval(() => void sess.cleanup().catch(console.error), 10 * 60_000).unref();
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { database, tables, clock, timeoutMs } = validate(options);
  const { table = DEFAULT_TABLE } = options;
  const owned = typeof database === 'string';
  // Without migrate the tables must exist, so the file must too: never leave an empty one behind.
  const fileMustExist = options.migrate !== true && database !== ':memory:';
  const db = owned
    ? new Database(database, { timeout: Math.ceil(timeoutMs), fileMustExist })
    : database;
  try {
    if (owned && !db.memory) db.pragma('journal_mode = WAL');
    if (options.migrate === true) migrate(db, { table });
    else assertTablesExist(db, table);
    return createStore(db, tables, clock, owned);
  } catch (error) {
    if (owned) db.close();
    throw error;
  }
}

function assertTablesExist(db: Database.Database, table: string): void {
  const names = [table, `${table}_deny`, `${table}_watermarks`];
  const found = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?)`)
    .pluck()
    .all(...names);
  const missing = names.filter((name) => !found.includes(name));
  if (missing.length > 0) {
    throw new ConfigError([
      `sqliteStore: missing table(s) ${missing.join(', ')}; run migrate(db, { table }) or pass migrate: true`,
    ]);
  }
  const t = tablesFor(table);
  const columns: [string, string, string][] = [
    [t.sessions, table, 'retain_until'],
    [t.deny, `${table}_deny`, 'written_at'],
    [t.watermarks, `${table}_watermarks`, 'written_at'],
  ];
  const issues = columns
    .filter(([quoted, , column]) => !hasColumn(db, quoted, column))
    .map(
      ([, name, column]) =>
        `sqliteStore: table ${name} has no ${column} column (created by an earlier version); run migrate(db, { table }) or pass migrate: true`,
    );
  if (issues.length > 0) throw new ConfigError(issues);
}

function createStore(db: Database.Database, t: Tables, clock: Clock, owned: boolean): SqliteStore {
  const sql = {
    insert: db.prepare(
      `INSERT INTO ${t.sessions} (id, user_id, expires_at, version, record, retain_until)
       VALUES (@id, @userId, @expiresAt, @version, @record, @retainUntil)
       ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at,
         version = excluded.version, record = excluded.record, retain_until = excluded.retain_until
       WHERE expires_at <= @now`, // an expired, not yet reaped row counts as missing
    ),
    get: db.prepare(`SELECT record FROM ${t.sessions} WHERE id = ? AND expires_at > ?`).pluck(),
    getExpired: db
      .prepare(
        `SELECT record FROM ${t.sessions}
         WHERE id = @id AND expires_at <= @now AND coalesce(retain_until, expires_at) > @now`,
      )
      .pluck(),
    liveExpiry: db.prepare(`SELECT expires_at FROM ${t.sessions} WHERE id = ?`).pluck(),
    // The user's records the cap counts, oldest first (BINARY collation: ids in byte order).
    counted: db
      .prepare(
        `SELECT id FROM ${t.sessions}
         WHERE user_id = @userId AND expires_at > @now AND record ->> '$.createdAt' > @notBefore
         ORDER BY record ->> '$.createdAt', id`,
      )
      .pluck(),
    evict: db.prepare(`DELETE FROM ${t.sessions} WHERE id = ?`),
    update: db.prepare(
      `UPDATE ${t.sessions}
       SET user_id = @userId, expires_at = @expiresAt, version = @version, record = @record,
         retain_until = @retainUntil
       WHERE id = @id AND version = @expected AND expires_at > @now`,
    ),
    delete: db.prepare(`DELETE FROM ${t.sessions} WHERE id = ? RETURNING expires_at`).pluck(),
    list: db
      .prepare(`SELECT record FROM ${t.sessions} WHERE user_id = ? AND expires_at > ?`)
      .pluck(),
    deleteByUser: db
      .prepare(
        `DELETE FROM ${t.sessions}
         WHERE user_id = ? AND id NOT IN (SELECT value FROM json_each(?)) RETURNING expires_at`,
      )
      .pluck(),
    // written_at only rises too, so racing writers leave the latest clock reading (max() is null
    // when any argument is: a row an older version wrote has none).
    deny: db.prepare(
      `INSERT INTO ${t.deny} (key, expires_at, written_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at),
         written_at = max(coalesce(written_at, 0), excluded.written_at)`,
    ),
    isDenied: db.prepare(`SELECT 1 FROM ${t.deny} WHERE key = ? AND expires_at > ?`).pluck(),
    setNotBefore: db.prepare(
      `INSERT INTO ${t.watermarks} (scope, at, written_at) VALUES (?, ?, ?)
       ON CONFLICT (scope) DO UPDATE SET at = max(at, excluded.at),
         written_at = max(coalesce(written_at, 0), excluded.written_at)`,
    ),
    getNotBefore: db
      .prepare(`SELECT coalesce(max(at), 0) FROM ${t.watermarks} WHERE scope IN (?, ?)`)
      .pluck(),
    // The global watermark comes every time (one row): an older version's update keeps its time.
    recent: db.prepare(
      `SELECT 'deny' AS type, key AS subject, expires_at AS value FROM ${t.deny}
         WHERE ${WRITTEN_SINCE} AND expires_at > @now
       UNION ALL
       SELECT 'not-before', scope, at FROM ${t.watermarks}
         WHERE ${WRITTEN_SINCE} OR scope = @global`,
    ),
    reapSessions: db.prepare(
      `DELETE FROM ${t.sessions} WHERE rowid IN
       (SELECT rowid FROM ${t.sessions} WHERE ${REAP_AT} <= ? LIMIT ${DELETE_BATCH_SIZE})`,
    ),
    counts: db.prepare(
      `SELECT count(*) AS sessions, count(DISTINCT user_id) AS users,
         count(*) FILTER (WHERE expires_at <= @before) AS expiringSoon
       FROM ${t.sessions} WHERE expires_at > @now`,
    ),
    topUsers: db.prepare(
      `SELECT user_id AS userId, count(*) AS sessions FROM ${t.sessions}
       WHERE expires_at > ? GROUP BY user_id ORDER BY sessions DESC LIMIT ?`,
    ),
    reapDeny: db.prepare(
      `DELETE FROM ${t.deny} WHERE rowid IN
       (SELECT rowid FROM ${t.deny} WHERE expires_at <= ? LIMIT ${DELETE_BATCH_SIZE})`,
    ),
  };
  // Times are compared as numbers: never let a user's defaultSafeIntegers turn them into bigints.
  for (const statement of Object.values(sql)) statement.safeIntegers(false);

  const row = (record: SessionRecord) => ({
    id: record.id,
    userId: record.userId,
    expiresAt: record.expiresAt,
    version: record.version,
    record: JSON.stringify(record),
    retainUntil: record.retainUntil ?? null,
  });
  const parse = (json: unknown): SessionRecord => JSON.parse(json as string) as SessionRecord;
  // Whole ms for the INTEGER column, rounded up: never before the clock reading it stands for.
  const writtenAt = (): number => Math.ceil(clock.now());

  // One read transaction: the counts and the top users come from the same snapshot.
  const readStats = db.transaction(
    (now: number, before: number, top: number): StoreStats => ({
      ...(sql.counts.get({ now, before }) as Omit<StoreStats, 'topUsers'>),
      topUsers: sql.topUsers.all(now, top) as StoreStats['topUsers'],
    }),
  );

  type Creation = 'create' | 'createCapped';
  const duplicate = (operation: Creation) => new StoreError(operation, { reason: 'duplicate-id' });
  const insert = (record: SessionRecord, operation: Creation): void => {
    if (sql.insert.run({ ...row(record), now: clock.now() }).changes !== 1) {
      throw duplicate(operation);
    }
  };

  type Capped = SqliteStore['createCapped'];
  const createCapped = db.transaction((...[record, cap]: Parameters<Capped>) => {
    const expiry = sql.liveExpiry.get(record.id) as number | undefined;
    if (expiry !== undefined && expiry > clock.now()) throw duplicate('createCapped');
    const { max, evictOldest, notBefore, now } = cap;
    const ids = sql.counted.all({ userId: record.userId, now, notBefore }) as string[];
    const evicted: string[] = [];
    if (ids.length >= max) {
      if (!evictOldest) return { created: false, evicted };
      for (const id of ids.slice(0, ids.length - max + 1)) {
        sql.evict.run(id);
        evicted.push(id);
      }
    }
    insert(record, 'createCapped');
    return { created: true, evicted };
  });

  return {
    name: 'sqlite',

    async create(record) {
      insert(record, 'create');
    },

    async createCapped(record, cap) {
      if (!Number.isInteger(cap.max) || cap.max < 1) {
        throw new TypeError('sqliteStore.createCapped: cap.max must be an integer >= 1');
      }
      return createCapped.immediate(record, cap);
    },

    async get(id) {
      const json = sql.get.get(id, clock.now());
      return json === undefined ? null : parse(json);
    },

    async getExpired(id) {
      const json = sql.getExpired.get({ id, now: clock.now() });
      return json === undefined ? null : parse(json);
    },

    async update(record, expectedVersion) {
      const now = clock.now();
      return sql.update.run({ ...row(record), expected: expectedVersion, now }).changes === 1;
    },

    async delete(id) {
      const expiresAt = sql.delete.get(id) as number | undefined;
      return expiresAt !== undefined && expiresAt > clock.now();
    },

    async listByUser(userId) {
      return sql.list.all(userId, clock.now()).map(parse);
    },

    async deleteByUser(userId, deleteOptions) {
      const except = JSON.stringify(deleteOptions?.except ?? []);
      const now = clock.now();
      // Expired rows go too, but only live ones count: an expired session is already missing.
      return (sql.deleteByUser.all(userId, except) as number[]).filter((at) => at > now).length;
    },

    async deny(key, expiresAt) {
      sql.deny.run(key, expiresAt, writtenAt());
    },

    async isDenied(key) {
      return sql.isDenied.get(key, clock.now()) !== undefined;
    },

    async setNotBefore(scope, at) {
      sql.setNotBefore.run(scope, at, writtenAt());
    },

    async getNotBefore(userId) {
      return sql.getNotBefore.get(userId, GLOBAL_SCOPE) as number;
    },

    async recentRevocations(since, now) {
      if (Number.isNaN(since) || Number.isNaN(now)) {
        throw new TypeError('sqliteStore: times must be epoch milliseconds');
      }
      type Row = { type: string; subject: string; value: number };
      return (sql.recent.all({ since, now, global: GLOBAL_SCOPE }) as Row[]).map(
        ({ type, subject, value }): RevocationEvent =>
          type === 'deny'
            ? { type: 'deny', key: subject, expiresAt: value }
            : { type: 'not-before', scope: subject, at: value },
      );
    },

    async deleteExpired(now) {
      let total = 0;
      for (const reap of [sql.reapSessions, sql.reapDeny]) {
        for (;;) {
          const { changes } = reap.run(now);
          total += changes;
          if (changes < DELETE_BATCH_SIZE) break;
          await nextTurn(); // let requests in between batches
        }
      }
      return total;
    },

    async stats(now, { expiringBefore, topUsers }) {
      return readStats(now, expiringBefore, Math.max(0, topUsers));
    },

    async close() {
      if (owned && db.open) db.close();
    },
  };
}
