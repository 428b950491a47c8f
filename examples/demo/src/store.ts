import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStore } from '@sess/core';
import { type OpenStoreOptions, openStore as openUrl } from '@sess/store-url';
import type { DemoConfig } from './config.ts';

/** Opens (and for SQL stores, migrates) the store `config.store` names. */
export function openStore(config: DemoConfig): Promise<SessionStore> {
  return openUrl(storeUrl(config), { ...namespaced(config), migrate: true });
}

/** The store's URL: SQLite lives in the data folder, one file per namespace. */
function storeUrl(config: DemoConfig): string {
  const ns = config.namespace;
  switch (config.store) {
    case 'memory':
      return 'memory:';
    case 'redis':
      return config.redisUrl;
    case 'postgres':
      return config.databaseUrl;
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true });
      return `file:${join(config.dataDir, ns ? `sess-${ns}.db` : 'sess.db')}`;
  }
}

/** Keeps demos sharing one Redis (key prefix) or Postgres (table) apart. */
function namespaced({ store, namespace: ns }: DemoConfig): OpenStoreOptions {
  if (!ns) return {};
  if (store === 'redis') return { prefix: `sess:${ns}:` };
  return store === 'postgres' ? { table: `sess_${ns}` } : {};
}
