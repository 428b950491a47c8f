import { randomBytes } from 'node:crypto';
import {
  createSessionManager,
  isSessError,
  type Logger,
  type SessionManager,
  type SessionStore,
} from '@sess/core';
import { openStore as openUrl, redactUrl, storeKind, storeUrlFromEnv } from '@sess/store-url';
import { CliError, errorLabel } from '../errors.ts';

/** The options that name the app's store, matching its store options. */
export interface StoreFlags {
  /** `redis://…`, `rediss://…`, `redis+sentinel://…`, `postgres://…` or `file:PATH`. */
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
 * The store URL from `--store`, else from `SESS_STORE` (a URL, or `redis`, `postgres`, `sqlite`
 * with `REDIS_URL`, `DATABASE_URL` or `SESS_SQLITE_PATH`), as the demo app reads it. There is no
 * default store: an operator never acts on a database by accident.
 */
export function storeUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  let url: string;
  if (flag !== undefined) {
    if (storeKind(flag) === null) {
      throw new CliError(
        'ERR_SESS_CLI_USAGE',
        '--store must be redis://…, rediss://…, redis+sentinel://…, postgres://… or file:PATH',
      );
    }
    url = flag;
  } else if (!env.SESS_STORE) {
    throw new CliError(
      'ERR_SESS_CLI_USAGE',
      'no store: pass --store redis://…|postgres://…|file:PATH, or set SESS_STORE',
    );
  } else {
    try {
      url = storeUrlFromEnv(env);
    } catch (error) {
      if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error;
      throw new CliError('ERR_SESS_CLI_USAGE', error.issues.join('; '));
    }
  }
  if (storeKind(url) === 'memory') {
    throw new CliError(
      'ERR_SESS_CLI_USAGE',
      'a memory store lives inside the app process; there is nothing to administer',
    );
  }
  return url;
}

/**
 * Opens the store through `@sess/store-url`, which loads only the store package the URL needs.
 * SQLite must exist already (nothing is created); Redis and Postgres connect on first use, so
 * callers should touch the store before asking for confirmation.
 */
export async function openStore(url: string, flags: StoreFlags): Promise<StoreHandle> {
  const problems: string[] = [];
  // Background errors arrive as log lines whose `error` field is a code: keep the codes.
  const record = (_message: string, fields?: Record<string, unknown>): void => {
    const code = fields?.error;
    if (typeof code === 'string' && !problems.includes(code)) problems.push(code);
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: record, error: record };
  const label = storeLabel(url, flags);
  const { prefix, schema, table } = flags;
  try {
    // The app may be writing to a SQLite file at the same moment: wait a little for its lock.
    const store = await openUrl(url, { prefix, schema, table, logger, timeout: '5s' });
    return { store, label, problems, close: () => store.close() };
  } catch (error) {
    throw unreachable(label, error, problems);
  }
}

/** How a store is named in output: URL without password, plus prefix or table. */
function storeLabel(url: string, flags: StoreFlags): string {
  const kind = storeKind(url);
  if (kind === 'redis') return `${redactUrl(url)} (prefix ${flags.prefix ?? 'sess:'})`;
  const table = flags.table ?? 'sess_sessions';
  if (kind === 'sqlite') return `${url} (${table})`;
  return `${redactUrl(url)} (${flags.schema ?? 'public'}.${table})`;
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
 * administration never issues or validates a credential. Broadcast subscription and the revocation
 * replica are left out (the process is short-lived); revocations are still published by the store.
 */
export function adminManager(store: SessionStore): SessionManager {
  const random = () => randomBytes(32).toString('base64url');
  const { subscribe: _unused, ...quiet } = store;
  return createSessionManager({
    store: quiet,
    strategy: 'jwt',
    // It validates nothing: a replica would only read the revocation log while the command runs.
    revocation: { replica: false },
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
