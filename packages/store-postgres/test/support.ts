import { randomBytes } from 'node:crypto';
import type { Logger } from '@sess/core';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { migrate } from '../src/index.ts';

/** The server every suite here talks to; loopback only. */
export const DATABASE_URL: string =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function reachable(): Promise<boolean> {
  if (!LOOPBACK.has(new URL(DATABASE_URL).hostname)) {
    throw new Error(`DATABASE_URL must point at loopback; got ${redact(DATABASE_URL)}`);
  }
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    return true;
  } catch (error) {
    if (process.env.SESS_REQUIRE_SERVICES === '1') {
      throw new Error(
        `SESS_REQUIRE_SERVICES=1 but Postgres at ${redact(DATABASE_URL)} is unreachable`,
        { cause: error },
      );
    }
    console.warn(
      `\n!!! SKIPPING @sess/store-postgres tests: no Postgres at ${redact(DATABASE_URL)} ` +
        '(start one, set DATABASE_URL, or set SESS_REQUIRE_SERVICES=1 to fail instead) !!!\n',
    );
    return false;
  }
}

/** `describe` when Postgres is reachable, `describe.skip` (after a loud warning) when it is not. */
export const describePg: typeof describe.skip = (await reachable()) ? describe : describe.skip;

/** A short random suffix for schema and application names. */
export const suffix = (): string => randomBytes(6).toString('hex');

/** A Pool on the test database with fail-fast settings and a unique `application_name`. */
export function testPool(config: pg.PoolConfig = {}): pg.Pool {
  return new pg.Pool({
    connectionString: DATABASE_URL,
    connectionTimeoutMillis: 2_000,
    statement_timeout: 2_000,
    application_name: `sess-test-${suffix()}`,
    ...config,
  });
}

/** One Pool per test file for setup, probes and fault injection; ended after the file. */
export const adminPool: pg.Pool = testPool({ max: 4 });
afterAll(() => adminPool.end());

/** Creates an empty schema with a random name; `drop()` removes it and everything in it. */
export async function freshSchema(
  options: { migrated?: boolean; table?: string } = {},
): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `sess_test_${suffix()}`;
  const pool = adminPool;
  await pool.query(`CREATE SCHEMA "${schema}"`);
  if (options.migrated !== false) await migrate(pool, { schema, table: options.table });
  return { schema, drop: async () => void (await pool.query(`DROP SCHEMA "${schema}" CASCADE`)) };
}

/** Terminates every backend with this `application_name`; returns how many. */
export async function terminate(applicationName: string): Promise<number> {
  const { rows } = await adminPool.query(
    `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE application_name = $1 AND pid <> pg_backend_pid()) AS t`,
    [applicationName],
  );
  return rows[0].n;
}

/** Backends currently connected with this `application_name`. */
export async function backends(applicationName: string): Promise<number> {
  const { rows } = await adminPool.query(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return rows[0].n;
}

/** A logger that keeps every line, for asserting what the store reports (and that it leaks nothing). */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

/** Resolves once `predicate` holds, polling each turn of the event loop; rejects after `ms`. */
export async function until(predicate: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = performance.now() + ms;
  while (!(await predicate())) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
