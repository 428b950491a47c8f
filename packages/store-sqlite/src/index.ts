export type { SqliteStoreOptions } from './options.ts';
export { DEFAULT_TABLE, type MigrateOptions, migrate } from './schema.ts';
export { DELETE_BATCH_SIZE, type SqliteStore, sqliteStore } from './store.ts';
