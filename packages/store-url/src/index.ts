/**
 * `@sess/store-url`: open any sess store from a URL (`redis://`, `rediss://`, `redis+sentinel://`,
 * `postgres://`, `file:`, `memory:`), loading only the store package, and driver, that the URL
 * needs. The CLI, the demo and the benchmarks open their stores through it.
 *
 * @packageDocumentation
 */

export { type StoreEnvDefaults, storeUrlFromEnv } from './env.ts';
export { type OpenedStore, type OpenStoreOptions, openStore } from './open.ts';
export { redactUrl } from './redact.ts';
export {
  STORE_PACKAGES,
  STORE_SCHEMES,
  type StoreKind,
  type StorePackage,
  storeKind,
} from './schemes.ts';
