import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SessionStore } from '@sess/core';
import { migrate, postgresStore } from '@sess/store-postgres';
import { redisStore, scanKeys } from '@sess/store-redis';
import { sqliteStore } from '@sess/store-sqlite';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The shared servers; loopback only, as in every other suite. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL: string =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A store the test seeds, the flags that point the CLI at the same data, and its cleanup. */
export interface Backend {
  readonly store: SessionStore;
  readonly flags: string[];
  /** True when the backend reaps expired records itself (no `cleanup` needed). */
  readonly nativeExpiry: boolean;
  cleanup(): Promise<void>;
}

const suffix = (): string => randomBytes(6).toString('hex');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function reachable(what: string, check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    if (process.env.SESS_REQUIRE_SERVICES === '1') {
      throw new Error(`SESS_REQUIRE_SERVICES=1 but ${what} is unreachable`, { cause: error });
    }
    console.warn(`\n!!! SKIPPING the @sess/cli ${what} suites: it is unreachable !!!\n`);
    return false;
  }
}

const redisUp = await reachable('Redis', async () => {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
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
});

const postgresUp = await reachable('Postgres', async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
});

/** A fresh, isolated backend per call: a new SQLite file, Redis prefix or Postgres schema. */
export const backends: Record<
  'sqlite' | 'redis' | 'postgres',
  ((dir: string) => Promise<Backend>) | null
> = {
  async sqlite(dir) {
    const path = join(dir, `sessions-${suffix()}.db`);
    const store = sqliteStore({ database: path, migrate: true });
    return {
      store,
      flags: ['--store', `sqlite:${path}`],
      nativeExpiry: false,
      cleanup: () => store.close(),
    };
  },
  redis: redisUp
    ? async () => {
        const prefix = `sess-cli-test:${suffix()}:`;
        const store = redisStore({ url: REDIS_URL, prefix });
        return {
          store,
          flags: ['--store', REDIS_URL, '--prefix', prefix],
          nativeExpiry: true,
          async cleanup() {
            await store.close();
            const admin = new Redis(REDIS_URL);
            for await (const key of scanKeys(admin, prefix)) await admin.unlink(key);
            admin.disconnect();
          },
        };
      }
    : null,
  postgres: postgresUp
    ? async () => {
        const schema = `sess_cli_${suffix()}`;
        const pool = new pg.Pool({
          connectionString: DATABASE_URL,
          max: 2,
          connectionTimeoutMillis: 2_000,
          statement_timeout: 2_000,
        });
        await pool.query(`CREATE SCHEMA "${schema}"`);
        await migrate(pool, { schema });
        const store = postgresStore({ pool, schema, logger: quiet });
        return {
          store,
          flags: ['--store', DATABASE_URL, '--schema', schema],
          nativeExpiry: false,
          async cleanup() {
            await store.close();
            await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
            await pool.end();
          },
        };
      }
    : null,
};
