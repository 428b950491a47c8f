import { ConfigError } from '@sess/core';
import type { Database } from 'better-sqlite3';

/** The default name of the sessions table. */
export const DEFAULT_TABLE = 'sess_sessions';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The quoted names of the three tables (and their indexes) behind one store. */
export interface Tables {
  sessions: string;
  deny: string;
  watermarks: string;
  byUser: string;
  byExpiry: string;
  byReapAt: string;
  denyByExpiry: string;
  denyByWrite: string;
  watermarksByWrite: string;
}

/**
 * Validates `table` and derives every identifier from it. Identifiers cannot be bound as
 * parameters, so the name is checked against a strict pattern and then quoted as well.
 */
export function tablesFor(table: string = DEFAULT_TABLE): Tables {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new ConfigError([
      `sqliteStore.table: must match ${TABLE_NAME} (letters, digits, underscores; at most 63 characters)`,
    ]);
  }
  const quote = (suffix: string): string => `"${table}${suffix}"`;
  return {
    sessions: quote(''),
    deny: quote('_deny'),
    watermarks: quote('_watermarks'),
    byUser: quote('_user_id'),
    byExpiry: quote('_expires_at'),
    byReapAt: quote('_reap_at'),
    denyByExpiry: quote('_deny_expires_at'),
    denyByWrite: quote('_deny_written_at'),
    watermarksByWrite: quote('_watermarks_written_at'),
  };
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * The sessions table; the store also uses `<table>_deny` and `<table>_watermarks`.
   * @default 'sess_sessions'
   */
  table?: string;
}

/**
 * Creates the store's tables and indexes if they do not exist. Idempotent and explicit: run it at
 * deploy or startup (or pass `migrate: true` to `sqliteStore`), never on the request path.
 *
 * Layout: `<table>` keeps each session as JSON in `record`, with `id` (primary key), `user_id`,
 * `expires_at` (epoch ms), `retain_until` (epoch ms or null: how long an expired record is kept
 * for `getExpired`) and `version` as columns, indexed by user, by expiry and by reaping instant;
 * `<table>_deny` holds deny-list keys with their expiry; `<table>_watermarks` holds the "not
 * before" watermark of each scope. Both keep `written_at`, when the row was last written (the
 * store's clock, epoch ms), indexed for `recentRevocations`.
 *
 * Upgrading: tables created by an earlier version get the `retain_until` column and its index
 * here (an `ALTER TABLE ... ADD COLUMN`, instant in SQLite); run it once before the new code. The
 * same goes for `written_at` on the deny and watermark tables, which existing rows get set to the
 * time of the migration (one `UPDATE` of each table). Rows that processes still on the older
 * version insert have none (null): `recentRevocations` returns those to every `since`, until this
 * version writes them again.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { migrate, sqliteStore } from '@sess/store-sqlite';
 *
 * const db = new Database('data/sessions.db');
 * db.pragma('journal_mode = WAL');
 * migrate(db);
 * const store = sqliteStore({ database: db });
 * ```
 */
export function migrate(db: Database, options: MigrateOptions = {}): void {
  const t = tablesFor(options.table);
  // One transaction: a crash mid-way leaves either every table or none.
  db.transaction(() => {
    db.exec(`
    CREATE TABLE IF NOT EXISTS ${t.sessions} (
      id TEXT PRIMARY KEY NOT NULL,
      user_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      version INTEGER NOT NULL,
      record TEXT NOT NULL,
      retain_until INTEGER
    ) STRICT;
    CREATE INDEX IF NOT EXISTS ${t.byUser} ON ${t.sessions} (user_id);
    CREATE INDEX IF NOT EXISTS ${t.byExpiry} ON ${t.sessions} (expires_at);
    CREATE TABLE IF NOT EXISTS ${t.deny} (
      key TEXT PRIMARY KEY NOT NULL,
      expires_at INTEGER NOT NULL,
      written_at INTEGER
    ) STRICT;
    CREATE INDEX IF NOT EXISTS ${t.denyByExpiry} ON ${t.deny} (expires_at);
    CREATE TABLE IF NOT EXISTS ${t.watermarks} (
      scope TEXT PRIMARY KEY NOT NULL,
      at INTEGER NOT NULL,
      written_at INTEGER
    ) STRICT;
  `);
    // SQLite has no ADD COLUMN IF NOT EXISTS: look first (tables from before retention lack it).
    if (!hasColumn(db, t.sessions, 'retain_until')) {
      db.exec(`ALTER TABLE ${t.sessions} ADD COLUMN retain_until INTEGER`);
    }
    db.exec(`CREATE INDEX IF NOT EXISTS ${t.byReapAt} ON ${t.sessions} (${REAP_AT})`);
    // Tables from before recentRevocations: existing rows count as written now, so that
    // recentRevocations returns them to any since before the upgrade.
    const now = Math.ceil(Date.now());
    for (const table of [t.deny, t.watermarks]) {
      if (hasColumn(db, table, 'written_at')) continue;
      db.exec(`ALTER TABLE ${table} ADD COLUMN written_at INTEGER`);
      db.prepare(`UPDATE ${table} SET written_at = ?`).run(now);
    }
    db.exec(`CREATE INDEX IF NOT EXISTS ${t.denyByWrite} ON ${t.deny} (written_at);
      CREATE INDEX IF NOT EXISTS ${t.watermarksByWrite} ON ${t.watermarks} (written_at);`);
  })();
}

/**
 * Which revocation rows `recentRevocations` returns for `@since`: written at or after it, or by a
 * version from before `written_at` (null) still running beside this one.
 */
export const WRITTEN_SINCE = '(written_at >= @since OR written_at IS NULL)';

/**
 * When a row may be reaped: `max(expires_at, retain_until)`, null `retain_until` meaning
 * `expires_at`. The exact expression of the index, so that `deleteExpired` uses it.
 */
export const REAP_AT = 'max(expires_at, coalesce(retain_until, expires_at))';

/** Whether `table` (quoted) has `column`. */
export function hasColumn(db: Database, table: string, column: string): boolean {
  return db
    .prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`)
    .pluck()
    .all(table.slice(1, -1), column)
    .some(Boolean);
}
