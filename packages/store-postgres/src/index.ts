/**
 * `@sess/store-postgres`: the sess session store on PostgreSQL through pg, with compare-and-set
 * updates, batched cleanup and revocation broadcast over LISTEN/NOTIFY.
 *
 * @packageDocumentation
 */
export type { ReconnectOptions } from './broadcast.ts';
export type { PostgresStoreOptions } from './options.ts';
export { DEFAULT_POOL_OPTIONS, type PoolDefaults, poolDefaults } from './pool.ts';
export {
  DEFAULT_SCHEMA,
  DEFAULT_TABLE,
  migrate,
  schemaSql,
  type TableOptions,
} from './schema.ts';
export { DELETE_BATCH_SIZE } from './sql.ts';
export { type PostgresStore, postgresStore } from './store.ts';
