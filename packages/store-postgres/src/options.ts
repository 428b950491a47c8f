import {
  type Clock,
  ConfigError,
  type Duration,
  isSessError,
  type KnownOptions,
  type Logger,
  resolveStoreOptions,
  STORE_OPTION_NAMES,
  type StoreOptions,
  unknownOptionIssues,
} from '@sess/core';
import type pg from 'pg';
import type { ReconnectOptions } from './broadcast.ts';
import { checkPoolUrl } from './pool.ts';
import { checkChannel, type Names, namesFor, type TableOptions } from './schema.ts';

/**
 * Options of {@link postgresStore}. Give exactly one of `pool` and `url`. `clock`, `logger` and
 * `timeout` are the options every store shares ({@link StoreOptions}); what `timeout` bounds here
 * is described below.
 */
export interface PostgresStoreOptions extends TableOptions, StoreOptions {
  /**
   * A pg `Pool` you own: it stays open after `close()` and its settings are left as they are, so
   * set `connectionTimeoutMillis`, `statement_timeout` and `query_timeout` yourself (the store warns
   * once when the first two are missing). The store adds one `error` listener to it, which logs the
   * error's code and is removed by `close()`.
   */
  pool?: pg.Pool;
  /**
   * A connection URL (`postgres://user:password@host:5432/db`) for the store to create its own Pool
   * from, with {@link poolDefaults} for `timeout`; `close()` ends it. Parameters in the URL override
   * the defaults and `poolOptions`.
   */
  url?: string;
  /**
   * Overrides {@link poolDefaults} for the Pool created from `url`; refused with `pool` (set your
   * Pool's options yourself).
   * @default {}
   */
  poolOptions?: Omit<pg.PoolConfig, 'connectionString'>;
  /**
   * The NOTIFY channel revocations are broadcast on; every instance sharing the tables must use the
   * same one. Must match `/^[a-z_][a-z0-9_.]{0,62}$/`.
   * @default `<schema>.<table>`, for example 'public.sess_sessions'
   */
  channel?: string;
  /**
   * Where background problems go ({@link StoreOptions.logger}): a pool connection that failed while
   * idle, the LISTEN connection dropping and reconnecting, a revocation listener that threw, a
   * user-owned Pool without timeouts (once, at construction). Fields hold error codes only.
   * @default defaultLogger (warnings and errors on stderr)
   */
  logger?: Logger;
  /**
   * The longest one operation may wait on Postgres ({@link StoreOptions.timeout}).
   *
   * - With `url`, it sets the Pool's timeouts ({@link poolDefaults}): a connection is waited for at
   *   most this long, the server cancels a statement after it (`statement_timeout`), and the client
   *   gives up on a silent server at 1.5 times it (`query_timeout`). `poolOptions` override them.
   * - With `pool`, the store never changes your Pool, so a timer bounds each operation instead and
   *   rejects it with a `StoreError` (`reason: 'timeout'`). A single-statement operation gets no
   *   timer when your Pool's own `query_timeout` is set and at most this (its connection wait is
   *   then yours to bound, with `connectionTimeoutMillis`); `createCapped` (a transaction), `deny`
   *   and `setNotBefore` (which may wait for the LISTEN connection) are always timed.
   * - `deleteExpired` (batched, as long as the backlog needs) and `stats` are never timed: each of
   *   their statements is bounded by the Pool's own timeouts.
   * @default '2s'
   */
  timeout?: Duration;
  /**
   * Backoff of the LISTEN connection's reconnects.
   * @default { minDelayMs: 100, maxDelayMs: 5000 }
   */
  reconnect?: ReconnectOptions;
}

const KNOWN = {
  ...STORE_OPTION_NAMES,
  schema: true,
  table: true,
  pool: true,
  url: true,
  poolOptions: true,
  channel: true,
  reconnect: true,
} as const satisfies KnownOptions<PostgresStoreOptions>;
const RECONNECT_KNOWN = {
  minDelayMs: true,
  maxDelayMs: true,
} as const satisfies KnownOptions<ReconnectOptions>;

/** `options` checked once, at construction, with the defaults applied. */
export interface ValidOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly names: Names;
  readonly channel: string;
}

/** Checks `options` once, at construction, and throws one `ConfigError` with every problem. */
export function validate(options: PostgresStoreOptions): ValidOptions {
  const path = 'postgresStore';
  const issues = [
    ...unknownOptionIssues(options, KNOWN, { path }),
    ...unknownOptionIssues(options?.reconnect, RECONNECT_KNOWN, { path: `${path}.reconnect` }),
  ];
  const { clock, logger, timeoutMs } = resolveStoreOptions(options, path, issues);
  const names = collect(issues, () => namesFor(options));
  const channel = options.channel ?? names?.qualifiedName;
  if (channel !== undefined) collect(issues, () => checkChannel(channel, `${path}.channel`));
  const { pool, url } = options;
  if ((pool === undefined) === (url === undefined)) {
    issues.push('postgresStore: give exactly one of `pool` and `url`');
  }
  if (pool !== undefined && !isPool(pool)) issues.push('postgresStore.pool: expected a pg Pool');
  if (pool !== undefined && options.poolOptions !== undefined) {
    issues.push("postgresStore.poolOptions: only applies with `url` (set your Pool's options)");
  }
  const urlIssue = url === undefined ? null : checkPoolUrl(url);
  if (urlIssue) issues.push(urlIssue);
  if (issues.length > 0) throw new ConfigError(issues);
  return { clock, logger, timeoutMs, names: names!, channel: channel! };
}

// Runs a check that throws a ConfigError, adding its issues to `issues` instead.
function collect<T>(issues: string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

function isPool(value: unknown): value is pg.Pool {
  const pool = value as Partial<pg.Pool> | null;
  return (
    typeof pool?.query === 'function' &&
    typeof pool.connect === 'function' &&
    typeof pool.on === 'function' &&
    typeof pool.options === 'object'
  );
}
