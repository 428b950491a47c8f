/**
 * `@sess/store-redis`: the sess session store on Redis through ioredis, for a single node or a
 * Redis Cluster, with revocation broadcast over pub/sub.
 *
 * @packageDocumentation
 */
export {
  clusterFailFastOptions,
  failFastOptions,
  type SentinelAddress,
  sentinelFailFastOptions,
} from './client.ts';
export { DEFAULT_PREFIX, escapeGlob } from './keys.ts';
export { TAG_CACHE_SIZE } from './operations.ts';
export {
  DEFAULT_TIMEOUT,
  DEFAULT_WATERMARK_TTL,
  type DurabilityOptions,
  type RedisStoreOptions,
} from './options.ts';
export { scanKeys } from './scan.ts';
export { type RedisStore, redisStore } from './store.ts';
