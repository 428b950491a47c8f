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

/** Connects to Redis and pings it, failing at once when it is down (an `available` probe). */
export async function pingRedis(url: string = REDIS_URL): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/** Opens and closes one Postgres connection (an `available` probe). */
export async function pingPostgres(url: string = DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => {});
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
