import pg from 'pg';
import { createClient } from 'redis';

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

export async function pingRedis(): Promise<void> {
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 1_000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.ping();
  } finally {
    client.destroy();
  }
}

export async function pingPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => {});
  }
}
