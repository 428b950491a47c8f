import { Redis } from 'ioredis';
import pg from 'pg';

/** Where the shared test services listen (loopback only). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * True when `probe` reaches the service. Without it the suite skips with a loud notice, unless
 * `SESS_REQUIRE_SERVICES=1` (CI), where a missing service fails the run instead.
 */
export async function available(name: string, probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if (process.env.SESS_REQUIRE_SERVICES === '1') {
      throw new Error(`${name} is required (SESS_REQUIRE_SERVICES=1) but unreachable`, {
        cause: error,
      });
    }
    console.warn(
      `\n⚠ ${name} unreachable: its suite is SKIPPED. Set SESS_REQUIRE_SERVICES=1 to fail.\n`,
    );
    return false;
  }
}

/** A Redis client that fails fast instead of queueing while the server is down. */
export function redisClient(): Redis {
  return new Redis(REDIS_URL, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
}

/** A small Postgres pool. */
export function pgPool(): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max: 4, connectionTimeoutMillis: 2000 });
}
