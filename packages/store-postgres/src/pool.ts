import { ConfigError } from '@sess/core';
import pg from 'pg';

/** Pool settings of a store created from a `url`; `poolOptions` overrides any of them. */
export interface PoolDefaults {
  /** Connections in the pool. */
  readonly max: number;
  /** How long to wait for a connection (new, or free in the pool) before failing the request. */
  readonly connectionTimeoutMillis: number;
  /** Server side: Postgres cancels any statement running longer than this. */
  readonly statement_timeout: number;
  /** Client side: the query fails (and its connection is dropped) when no answer came by then. */
  readonly query_timeout: number;
  /** Server side: ends a session left idle inside a transaction. */
  readonly idle_in_transaction_session_timeout: number;
  /** Closes pool connections idle for this long. */
  readonly idleTimeoutMillis: number;
  /** TCP keep-alive, so a connection to a vanished server is noticed. */
  readonly keepAlive: boolean;
  /** Shown in `pg_stat_activity`. */
  readonly application_name: string;
}

/**
 * The pool settings of a store created from a `url` with a given `timeout` (in ms): a request waits
 * at most `timeout` for a connection and the server cancels a statement after `timeout`, so a slow
 * or unreachable server turns into a `StoreError` (503) instead of a hang. The client-side
 * `query_timeout` is half as long again as `statement_timeout` so that the server normally cancels
 * first and the connection survives; it still catches a server that stopped answering altogether.
 *
 * @example
 * ```ts
 * poolDefaults(500); // { connectionTimeoutMillis: 500, statement_timeout: 500, query_timeout: 750, ... }
 * ```
 */
export function poolDefaults(timeoutMs: number): PoolDefaults {
  return Object.freeze({
    max: 10,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: Math.ceil(timeoutMs * 1.5),
    idle_in_transaction_session_timeout: 5_000,
    idleTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'sess',
  });
}

/**
 * The pool settings of a store created from a `url` with the default `timeout` (`'2s'`): see
 * {@link poolDefaults}. `poolOptions` overrides any of them.
 */
export const DEFAULT_POOL_OPTIONS: PoolDefaults = poolDefaults(2_000);

/** The problem with a `url` option, or null; the URL is checked without ever being echoed. */
export function checkPoolUrl(url: unknown): string | null {
  if (typeof url !== 'string') return 'postgresStore.url: expected a string';
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // No cause kept on purpose: URL errors carry the input, password included.
    return 'postgresStore.url: not a valid URL';
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    return 'postgresStore.url: must start with postgres:// or postgresql://';
  }
  return null;
}

/** Creates the pool of a store given a `url` (checked by {@link checkPoolUrl} first). */
export function createPool(url: string, timeoutMs: number, overrides: pg.PoolConfig = {}): pg.Pool {
  const issue = checkPoolUrl(url);
  if (issue) throw new ConfigError([issue]);
  return new pg.Pool({ ...poolDefaults(timeoutMs), ...overrides, connectionString: url });
}

/** What may be logged about an error: its code (`57P01`, `ECONNRESET`) or class name, never its message. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return typeof error;
}

/**
 * Runs `body` in a transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it
 * rejects (a connection whose ROLLBACK fails is destroyed, so the server rolls back for us).
 */
export async function transaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken ?? false);
  }
}
