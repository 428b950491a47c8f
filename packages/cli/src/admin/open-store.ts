import { randomBytes } from 'node:crypto';
import {
  createSessionManager,
  isSessError,
  type SessionManager,
  type SessionStore,
} from '@sess/core';
import { postgresStore } from '@sess/store-postgres';
import { redisStore } from '@sess/store-redis';
import { sqliteStore } from '@sess/store-sqlite';
import Database from 'better-sqlite3';
import { CliError, errorLabel } from '../errors.ts';

/** Where the sessions are, from `--store` or the environment. */
export type StoreSpec =
  | { kind: 'redis'; url: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'sqlite'; path: string };

/** The options that name the app's store, matching its store options. */
export interface StoreFlags {
  /** `redis://…`, `rediss://…`, `postgres://…`, `postgresql://…` or `sqlite:PATH`. */
  store?: string;
  /** Redis key prefix. @default 'sess:' */
  prefix?: string;
  /** Postgres schema. @default 'public' */
  schema?: string;
  /** Postgres or SQLite sessions table. @default 'sess_sessions' */
  table?: string;
}

/** An open store, the label to show for it (password redacted), and how to close it. */
export interface StoreHandle {
  readonly store: SessionStore;
  readonly label: string;
  /** Background connection errors seen so far (codes only), for the "unreachable" message. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Reads `--store`, else `SESS_STORE` (`redis`, `postgres`, `sqlite`) with `REDIS_URL`,
 * `DATABASE_URL` or `SESS_SQLITE_PATH`, as the demo app does. There is no default store: an
 * operator never acts on a database by accident.
 */
export function storeSpec(flag: string | undefined, env: NodeJS.ProcessEnv): StoreSpec {
  if (flag !== undefined) return parseFlag(flag);
  const kind = env.SESS_STORE;
  const need = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new CliError(
        'ERR_SESS_CLI_USAGE',
        `SESS_STORE=${kind} needs ${name} (or pass --store)`,
      );
    }
    return value;
  };
  if (kind === 'redis') return { kind, url: need('REDIS_URL') };
  if (kind === 'postgres') return { kind, url: need('DATABASE_URL') };
  if (kind === 'sqlite') return { kind, path: need('SESS_SQLITE_PATH') };
  if (kind === 'memory') {
    throw new CliError(
      'ERR_SESS_CLI_USAGE',
      'SESS_STORE=memory lives inside the app process; there is nothing to administer',
    );
  }
  throw new CliError(
    'ERR_SESS_CLI_USAGE',
    kind
      ? `SESS_STORE=${kind} is not redis, postgres or sqlite`
      : 'no store: pass --store redis://…|postgres://…|sqlite:PATH, or set SESS_STORE',
  );
}

function parseFlag(flag: string): StoreSpec {
  if (/^rediss?:\/\//i.test(flag)) return { kind: 'redis', url: flag };
  if (/^postgres(ql)?:\/\//i.test(flag)) return { kind: 'postgres', url: flag };
  if (flag.startsWith('sqlite:') && flag.length > 'sqlite:'.length) {
    return { kind: 'sqlite', path: flag.slice('sqlite:'.length) };
  }
  throw new CliError(
    'ERR_SESS_CLI_USAGE',
    '--store must be redis://…, rediss://…, postgres://… or sqlite:PATH',
  );
}

/** A URL with its password replaced by `***`; only the scheme when it does not parse. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return `${url.split(':')[0]}://…`;
  }
}

/**
 * Opens the store. SQLite must exist already (nothing is created); Redis and Postgres connect on
 * first use, so callers should touch the store before asking for confirmation.
 */
export function openStore(spec: StoreSpec, flags: StoreFlags): StoreHandle {
  const problems: string[] = [];
  const record = (error: unknown) => {
    const label = errorLabel(error);
    if (!problems.includes(label)) problems.push(label);
  };
  const label = storeLabel(spec, flags);
  try {
    if (spec.kind === 'redis') {
      return handle(
        redisStore({ url: spec.url, prefix: flags.prefix, onError: record }),
        label,
        problems,
      );
    }
    if (spec.kind === 'postgres') {
      const quiet = { info: () => {}, warn: record, error: record, debug: () => {} };
      const { schema, table } = flags;
      return handle(
        postgresStore({ url: spec.url, schema, table, logger: quiet }),
        label,
        problems,
      );
    }
    const db = new Database(spec.path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000'); // the app may be writing at the same moment
      const store = sqliteStore({ database: db, table: flags.table });
      return handle(store, label, problems, () => db.close());
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    throw unreachable(label, error, problems);
  }
}

/** How a store is named in output: URL without password, plus prefix or table. */
function storeLabel(spec: StoreSpec, flags: StoreFlags): string {
  if (spec.kind === 'redis') return `${redactUrl(spec.url)} (prefix ${flags.prefix ?? 'sess:'})`;
  const table = flags.table ?? 'sess_sessions';
  if (spec.kind === 'sqlite') return `sqlite:${spec.path} (${table})`;
  return `${redactUrl(spec.url)} (${flags.schema ?? 'public'}.${table})`;
}

function handle(
  store: SessionStore,
  label: string,
  problems: string[],
  release: () => void = () => {},
): StoreHandle {
  return {
    store,
    label,
    problems,
    async close() {
      await store.close?.();
      release();
    },
  };
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there',
  ENOTFOUND: 'unknown host',
  ETIMEDOUT: 'no answer',
  '28P01': 'authentication failed',
  '3D000': 'no such database',
  '42P01': 'the sessions table does not exist: check --schema and --table, or run migrate()',
  '3F000': 'no such schema',
  SQLITE_CANTOPEN: 'cannot open the file (does it exist?)',
};

/**
 * The error for a store that could not be opened or used: codes and hints only, never the driver's
 * message (it can quote a URL). A store factory's `ConfigError` (a bad prefix or table name, missing
 * SQLite tables) means the flags do not fit the store: a usage error.
 */
export function unreachable(label: string, error: unknown, problems: readonly string[]): CliError {
  if (isSessError(error) && error.code === 'ERR_SESS_CONFIG') {
    return new CliError(
      'ERR_SESS_CLI_USAGE',
      `the store ${label} refused the options`,
      error.issues,
    );
  }
  const labels = [...new Set([errorLabel(error), ...problems])];
  const hints = labels
    .flatMap((l) => l.split(' <- '))
    .flatMap((code) => (HINTS[code] ? [HINTS[code]] : []));
  return new CliError('ERR_SESS_CLI_STORE', `cannot use the store ${label}: ${labels.join('; ')}`, [
    ...new Set(hints),
  ]);
}

/**
 * A session manager for administration over `store`. It acts as the jwt strategy with the longest
 * access-token lifetime core accepts (24 h, 5 min skew), so a revocation also deny-lists access
 * tokens for as long as any app configuration could keep them alive; for a database-strategy app
 * those entries are harmless and expire by themselves. Its secret and key are random and unused:
 * administration never issues or validates a credential. Broadcast subscription is left out (the
 * process is short-lived); revocations are still published by the store.
 */
export function adminManager(store: SessionStore): SessionManager {
  const random = () => randomBytes(32).toString('base64url');
  const { subscribe: _unused, ...quiet } = store;
  return createSessionManager({
    store: quiet,
    strategy: 'jwt',
    secret: random(),
    jwt: {
      keys: [{ kid: 'sess-cli', alg: 'HS256', secret: random() }],
      issuer: 'sess-cli',
      audience: 'sess-cli',
      accessTokenTtl: '24h',
      clockSkew: '5m',
    },
  });
}
