export { DEFAULT_TABLE, type MigrateOptions, migrate } from './schema.ts';
export {
  DELETE_BATCH_SIZE,
  type SqliteStore,
  type SqliteStoreOptions,
  sqliteStore,
} from './store.ts';
