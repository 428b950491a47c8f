import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { available, DATABASE_URL, pingPostgres, pingRedis, REDIS_URL } from '@sess/behaviour-suite';
import type { SessionStore } from '@sess/core';
import { migrate, postgresStore } from '@sess/store-postgres';
import { redisStore, scanKeys } from '@sess/store-redis';
import { sqliteStore } from '@sess/store-sqlite';
import { Redis } from 'ioredis';
import pg from 'pg';

export { DATABASE_URL, REDIS_URL };

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

const redisUp = await available('Redis', () => pingRedis());
const postgresUp = await available('Postgres', () => pingPostgres());

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
      flags: ['--store', `file:${path}`],
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
