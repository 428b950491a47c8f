import { ConfigError } from '@sess/core';
import type { Pool } from 'pg';

/** The default schema of the store's tables. */
export const DEFAULT_SCHEMA = 'public';

/** The default name of the sessions table. */
export const DEFAULT_TABLE = 'sess_sessions';

// Lowercase only: Postgres folds unquoted names to lowercase, so `Sessions` and `sessions` would
// name different tables depending on quoting. 48 characters leave room for the longest suffix
// (`_deny_expires_at`) within Postgres's 63-byte identifier limit.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;
const CHANNEL = /^[a-z_][a-z0-9_.]{0,62}$/;

// First key of the two-key advisory lock form: keeps migrate's lock apart from the app's own locks.
const LOCK_CLASS = 0x5e55;

/** First key of the per-user advisory lock `createCapped` holds (the second is the user id's hash). */
export const CAP_LOCK_CLASS = 0x5e56;

/** Where the store's tables live: the options shared by {@link migrate}, {@link schemaSql} and the store. */
export interface TableOptions {
  /**
   * The schema holding the tables. It must exist already (`public` always does); `migrate` creates
   * tables, never schemas. Must match `/^[a-z_][a-z0-9_]{0,47}$/`.
   * @default 'public'
   */
  schema?: string;
  /**
   * The sessions table; `<table>_deny` and `<table>_watermarks` are used as well. Must match
   * `/^[a-z_][a-z0-9_]{0,47}$/`.
   * @default 'sess_sessions'
   */
  table?: string;
}

/** Every identifier of one store, validated and quoted. */
export interface Names {
  sessions: string;
  deny: string;
  watermarks: string;
  byUser: string;
  byExpiry: string;
  byReapAt: string;
  denyByExpiry: string;
  denyByWrite: string;
  watermarksByWrite: string;
  /** Every relation `migrate` creates, schema-qualified, for the existence check. */
  relations: string[];
  /** `<schema>.<table>`: the default notification channel and the advisory lock's key. */
  qualifiedName: string;
}

/**
 * Validates `schema` and `table` and derives every identifier from them. Identifiers cannot be bound
 * as parameters, so names are checked against a strict pattern and quoted as well.
 */
export function namesFor(options: TableOptions = {}, caller = 'postgresStore'): Names {
  const { schema = DEFAULT_SCHEMA, table = DEFAULT_TABLE } = options;
  const issues: string[] = [];
  for (const [option, value] of [
    ['schema', schema],
    ['table', table],
  ] as const) {
    if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
      issues.push(
        `${caller}.${option}: must match ${IDENTIFIER} (lowercase letters, digits, underscores; at most 48 characters)`,
      );
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const qualified = (name: string): string => `"${schema}"."${name}"`;
  const relations = [
    '',
    '_user_id',
    '_expires_at',
    '_reap_at',
    '_deny',
    '_deny_expires_at',
    '_deny_written_at',
    '_watermarks',
    '_watermarks_written_at',
  ].map((suffix) => qualified(`${table}${suffix}`));
  return {
    sessions: qualified(table),
    deny: qualified(`${table}_deny`),
    watermarks: qualified(`${table}_watermarks`),
    byUser: `"${table}_user_id"`,
    byExpiry: `"${table}_expires_at"`,
    byReapAt: `"${table}_reap_at"`,
    denyByExpiry: `"${table}_deny_expires_at"`,
    denyByWrite: `"${table}_deny_written_at"`,
    watermarksByWrite: `"${table}_watermarks_written_at"`,
    relations,
    qualifiedName: `${schema}.${table}`,
  };
}

/** Validates a notification channel name; throws a `ConfigError` naming the option otherwise. */
export function checkChannel(channel: string, option: string): string {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new ConfigError([
      `${option}: must match ${CHANNEL} (at most 63 characters); set postgresStore's channel option when schema and table are long`,
    ]);
  }
  return channel;
}

// The database's time in epoch ms: `written_at`'s default, for rows written without the store.
const NOW_MS = '(extract(epoch FROM now()) * 1000)::bigint';

/**
 * The DDL that {@link migrate} runs: three tables and six indexes, each `IF NOT EXISTS`, and the
 * columns added since the first version (`retain_until` on the sessions table, `written_at` on
 * the other two) added to tables created before them. The package ships its output for the
 * default names as `schema.sql`, for teams that apply migrations with their own tool.
 *
 * Layout: `<table>` keeps each session as `jsonb` in `record`, with `id` (primary key), `user_id`,
 * `expires_at` (epoch milliseconds, `bigint`), `retain_until` (epoch milliseconds or null: until when
 * an expired record is kept for `getExpired`) and `version` as columns, indexed by user, by
 * expiry and by reaping instant (`GREATEST(expires_at, retain_until)`); `<table>_deny` holds
 * deny-list keys with their expiry; `<table>_watermarks` the "not before" watermark of each scope.
 * Both keep `written_at`, when the row was last written (the store's clock), indexed for
 * `recentRevocations`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { schemaSql } from '@sess/store-postgres';
 *
 * writeFileSync('migrations/0001_sessions.sql', schemaSql({ schema: 'auth' }));
 * ```
 */
export function schemaSql(options: TableOptions = {}): string {
  const n = namesFor(options, 'schemaSql');
  // COLLATE "C": keys are compared byte-wise, the cheapest comparison for base64url ids and keys.
  return `CREATE TABLE IF NOT EXISTS ${n.sessions} (
  id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL, -- epoch milliseconds
  version bigint NOT NULL, -- the compare-and-set token
  record jsonb NOT NULL, -- the whole SessionRecord (secrets only as SHA-256 hashes)
  retain_until bigint -- epoch milliseconds; null: reaped at expires_at
);
-- Tables created before retention existed: add the column (nullable, so no rewrite, no default).
ALTER TABLE ${n.sessions} ADD COLUMN IF NOT EXISTS retain_until bigint;
CREATE INDEX IF NOT EXISTS ${n.byUser} ON ${n.sessions} (user_id);
CREATE INDEX IF NOT EXISTS ${n.byExpiry} ON ${n.sessions} (expires_at);
-- GREATEST ignores nulls: a row without retention is reaped at expires_at.
CREATE INDEX IF NOT EXISTS ${n.byReapAt} ON ${n.sessions} ((GREATEST(expires_at, retain_until)));

CREATE TABLE IF NOT EXISTS ${n.deny} (
  key text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL, -- epoch milliseconds
  written_at bigint NOT NULL DEFAULT ${NOW_MS} -- the latest deny (store clock, epoch ms)
);
CREATE TABLE IF NOT EXISTS ${n.watermarks} (
  scope text COLLATE "C" PRIMARY KEY, -- a user id, or '*' for the global watermark
  at bigint NOT NULL, -- epoch milliseconds, never lowered
  written_at bigint NOT NULL DEFAULT ${NOW_MS} -- the latest setNotBefore (store clock, epoch ms)
);
-- Tables created before recentRevocations existed: add written_at. The default is stable, so
-- existing rows read the migration time without a rewrite (recentRevocations returns them to
-- any since before it), and rows inserted by older versions still running get their insert time.
ALTER TABLE ${n.deny} ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT ${NOW_MS};
ALTER TABLE ${n.watermarks} ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT ${NOW_MS};
CREATE INDEX IF NOT EXISTS ${n.denyByExpiry} ON ${n.deny} (expires_at);
CREATE INDEX IF NOT EXISTS ${n.denyByWrite} ON ${n.deny} (written_at);
CREATE INDEX IF NOT EXISTS ${n.watermarksByWrite} ON ${n.watermarks} (written_at);
`;
}

/**
 * Creates the store's tables and indexes if they do not exist. Idempotent, and safe to run from
 * several instances at once: it holds a transaction-scoped advisory lock, so concurrent runs take
 * turns. When every table and index exists already it runs no DDL and takes no table lock, so
 * running it at every startup never blocks live traffic. Run it at deploy or startup, never on the
 * request path; the schema itself must exist.
 *
 * Upgrading from a version without retention, it adds the nullable `retain_until` column (no table
 * rewrite) and the `<table>_reap_at` index. Building that index blocks writes to the sessions table
 * while it runs; on a large table create it first with `CREATE INDEX CONCURRENTLY` (the statement
 * of {@link schemaSql}, with `CONCURRENTLY` added), and `migrate` then only adds the column.
 *
 * Upgrading from a version without `recentRevocations`, it adds `written_at` to the deny and
 * watermark tables (no rewrite: existing rows read the migration time, so `recentRevocations`
 * returns them for any `since` before it) and indexes it. Rows that instances still on the older
 * version insert get the database's time; their updates of an existing row keep its time. The
 * same advice holds for a large watermark table (one row per user ever logged out everywhere):
 * create `<table>_watermarks_written_at` concurrently first.
 *
 * @example
 * ```ts
 * import { migrate, postgresStore } from '@sess/store-postgres';
 *
 * const store = postgresStore({ url: process.env.DATABASE_URL! });
 * await migrate(store.pool);
 * ```
 */
export async function migrate(pool: Pool, options: TableOptions = {}): Promise<void> {
  const n = namesFor(options, 'migrate');
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCK_CLASS,
      n.qualifiedName,
    ]);
    const { rows } = await client.query<{ missing: number }>(
      `SELECT (SELECT count(*)::int FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL)
        + (SELECT count(*)::int FROM (SELECT 1) AS one WHERE NOT EXISTS (
            SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($2)
              AND attname = 'retain_until' AND NOT attisdropped)) AS missing`,
      [n.relations, n.relations[0]],
    );
    // CREATE INDEX IF NOT EXISTS locks the table even when the index exists: skip it when current.
    if (rows[0]!.missing > 0) await client.query(schemaSql(options));
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A failed client is destroyed rather than reused: the server then rolls the transaction back.
    client.release(failed);
  }
}
