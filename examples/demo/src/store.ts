import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStore } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { migrate, postgresStore } from '@sess/store-postgres';
import { redisStore } from '@sess/store-redis';
import { sqliteStore } from '@sess/store-sqlite';
import type { DemoConfig } from './config.ts';

/** Opens (and for SQL stores, migrates) the store `config.store` names. */
export async function openStore(config: DemoConfig): Promise<SessionStore> {
  const ns = config.namespace;
  switch (config.store) {
    case 'memory':
      return memoryStore();
    case 'redis':
      return redisStore({ url: config.redisUrl, prefix: ns ? `sess:${ns}:` : 'sess:' });
    case 'postgres': {
      const table = ns ? `sess_${ns}` : 'sess_sessions';
      const store = postgresStore({ url: config.databaseUrl, table });
      await migrate(store.pool, { table }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
      return store;
    }
    case 'sqlite': {
      mkdirSync(config.dataDir, { recursive: true });
      const file = join(config.dataDir, ns ? `sess-${ns}.db` : 'sess.db');
      return sqliteStore({ database: file, migrate: true });
    }
  }
}
