import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  type Duration,
  isSessError,
  type KnownOptions,
  type Logger,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  STORE_OPTION_NAMES,
  type StoreOptions,
  unknownOptionIssues,
} from '@sess/core';
import type Database from 'better-sqlite3';
import { type Tables, tablesFor } from './schema.ts';

// The longest `timeout` a store accepts: a write waits synchronously, stalling the process.
const MAX_TIMEOUT_MS = 60_000;

/**
 * Options of {@link sqliteStore}. Give exactly one of `database` and `url`. `clock`, `logger` and
 * `timeout` are the options every store shares ({@link StoreOptions}); what `timeout` bounds here
 * is described below.
 */
export interface SqliteStoreOptions extends StoreOptions {
  /**
   * A better-sqlite3 `Database` you own (it stays open after `close()`, and its settings are left
   * as they are: enable WAL and set `busy_timeout` yourself), or a file path (or `':memory:'`) for
   * the store to open, put in WAL mode, and close in `close()`.
   */
  database?: Database.Database | string;
  /**
   * A `file:` URL for the store to open, as it opens a path: `file:relative/path.db` (relative to
   * the working directory), `file:/abs/path.db` or `file:///abs/path.db`, percent-escapes decoded;
   * `file::memory:` for an in-memory database. No query string or fragment, no host.
   * @example `url: 'file:data/sessions.db'`
   */
  url?: string;
  /**
   * The sessions table; `<table>_deny` and `<table>_watermarks` are used as well. Must match
   * `/^[A-Za-z_][A-Za-z0-9_]{0,62}$/`.
   * @default 'sess_sessions'
   */
  table?: string;
  /**
   * Run {@link migrate} once, when the store is created. Off by default so that schema changes stay
   * an explicit deploy step; either way no DDL ever runs on the request path. Without it the tables
   * must exist already, or the factory throws a `ConfigError`, and a file the store opens must
   * exist (it is never created: the factory throws `SQLITE_CANTOPEN`).
   * @default false
   */
  migrate?: boolean;
  /**
   * How long a write waits for a lock another process holds before it fails (a 503): SQLite's busy
   * timeout ({@link StoreOptions.timeout}), at most 60 s. Only for a file the store opens (`url`
   * or a path); refused with a `Database` of your own, whose settings the store never changes.
   * better-sqlite3 waits synchronously, stalling every request of the process meanwhile, so keep
   * it short: sess's own writes hold the lock for microseconds.
   * @default '2s'
   */
  timeout?: Duration;
  /**
   * Accepted for the shape every store shares ({@link StoreOptions.logger}); the SQLite store does
   * no background work (no connection to lose, no broadcast), so nothing is logged to it today.
   * Every failure rejects the operation instead.
   * @default defaultLogger
   */
  logger?: Logger;
}

const KNOWN = {
  ...STORE_OPTION_NAMES,
  database: true,
  url: true,
  table: true,
  migrate: true,
} as const satisfies KnownOptions<SqliteStoreOptions>;

/** `options` checked once, at construction, with the defaults applied. */
export interface ValidOptions extends ResolvedStoreOptions {
  readonly tables: Tables;
  /** What to open (a path or `':memory:'`), or the user's own Database. */
  readonly database: Database.Database | string;
}

/** Checks `options` once, at construction, and throws one `ConfigError` with every problem. */
export function validate(options: SqliteStoreOptions): ValidOptions {
  const path = 'sqliteStore';
  const issues = unknownOptionIssues(options, KNOWN, { path });
  const resolved = resolveStoreOptions(options, path, issues);
  let tables: Tables | undefined;
  try {
    tables = tablesFor(options.table);
  } catch (error) {
    if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error;
    issues.push(...error.issues);
  }
  const { database, url } = options;
  if ((database === undefined) === (url === undefined)) {
    issues.push('sqliteStore: give exactly one of `database` and `url`');
  }
  if (database !== undefined && typeof database !== 'string') {
    if (typeof database?.prepare !== 'function') {
      issues.push('sqliteStore.database: expected a better-sqlite3 Database or a file path');
    } else if (options.timeout !== undefined) {
      issues.push(
        'sqliteStore.timeout: only applies to a file the store opens; set busy_timeout on your Database',
      );
    }
  }
  const file = url === undefined ? undefined : fileOf(url);
  if (file === null) {
    issues.push(
      'sqliteStore.url: expected file:path.db, file:/abs/path.db, file:///abs/path.db or file::memory:',
    );
  }
  if (resolved.timeoutMs > MAX_TIMEOUT_MS) {
    issues.push('sqliteStore.timeout: must be at most 60s (a write waits synchronously)');
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...resolved, tables: tables!, database: file ?? database! };
}

/** The path a `file:` URL names (`':memory:'` for `file::memory:`), or null when it is not one. */
export function fileOf(url: unknown): string | null {
  if (typeof url !== 'string' || !url.startsWith('file:') || /[?#]/.test(url)) return null;
  const rest = url.slice('file:'.length);
  if (rest === ':memory:') return ':memory:';
  try {
    // `file:relative/path`: WHATWG URLs would make it absolute (file:///relative/path).
    const file = rest.startsWith('/') ? fileURLToPath(url) : decodeURIComponent(rest);
    return file === '' || file.endsWith('/') ? null : file;
  } catch {
    return null; // a host (file://server/...), or a malformed escape
  }
}
