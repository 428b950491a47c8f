import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenedStore, openStore as openUrl } from '@sess/store-url';
import { Redis } from 'ioredis';
import pg from 'pg';

export const STORE_KINDS = ['memory', 'sqlite', 'redis', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/**
 * Where one `pnpm bench` keeps its data: every Redis key starts with `bench-<runId>-`, every
 * Postgres table with `bench_<runId>_`, every SQLite file lives in `dataDir`. {@link cleanUp}
 * removes exactly those, so benchmarks never touch anyone else's data.
 */
export interface Services {
  readonly runId: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly dataDir: string;
}

export function newServices(redisUrl: string, databaseUrl: string): Services {
  const runId = randomBytes(4).toString('hex');
  return { runId, redisUrl, databaseUrl, dataDir: join(tmpdir(), `sess-bench-${runId}`) };
}

/** A name that is a valid Postgres/SQLite identifier and Redis prefix part. */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export function redisPrefix(services: Services, name: string): string {
  return `bench-${services.runId}-${slug(name)}:`;
}

export function tableName(services: Services, name: string): string {
  return `bench_${services.runId}_${slug(name)}`;
}

/** The file of the SQLite store {@link openStore} opens under `name` (its table: `sessions`). */
export function sqliteFile(services: Services, name: string): string {
  return join(services.dataDir, `${slug(name)}.db`);
}

/** A store of `kind` whose data is named after `name`; `close` releases what it opened. */
export function openStore(kind: StoreKind, services: Services, name: string): Promise<OpenedStore> {
  switch (kind) {
    case 'memory':
      return openUrl('memory:');
    case 'redis':
      return openUrl(services.redisUrl, { prefix: redisPrefix(services, name) });
    case 'postgres':
      return openUrl(services.databaseUrl, { table: tableName(services, name), migrate: true });
    case 'sqlite':
      mkdirSync(services.dataDir, { recursive: true });
      return openUrl(`file:${sqliteFile(services, name)}`, {
        table: 'sessions',
        migrate: true,
      });
  }
}

/** Deletes every key, table and file of this run; returns how many of each went. */
export async function cleanUp(services: Services): Promise<{ redisKeys: number; tables: number }> {
  const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisKeys = 0;
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({
      match: `bench-${services.runId}-*`,
      count: 500,
    }) as AsyncIterable<string[]>) {
      if (keys.length > 0) redisKeys += await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
  const client = new pg.Client({ connectionString: services.databaseUrl });
  let tables = 0;
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name
         FROM pg_tables WHERE tablename LIKE $1`,
      [`bench\\_${services.runId}\\_%`],
    );
    for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS ${name} CASCADE`);
    tables = rows.length;
  } finally {
    await client.end();
  }
  rmSync(services.dataDir, { recursive: true, force: true });
  return { redisKeys, tables };
}
