// Not a dependency of this workspace (its package.json is not ours to change): imported from source,
// the same file the test aliases resolve `@sess/store-redis` to.
import type { RedisStore, RedisStoreOptions } from '../../../packages/store-redis/src/index.ts';

type Factory = (options: RedisStoreOptions) => RedisStore;
let current: Factory | null = null;

/**
 * The demo opens its Redis store from a URL alone. A failover suite hands it another store (on a
 * Cluster client, on Sentinel, with `durability`) through this hook, which its test file wires in
 * with `vi.mock('@sess/store-redis', ...)` (see test/faults/redis-failover.test.ts). Returns the
 * function that removes the override.
 */
export function overrideRedisStore(factory: Factory): () => void {
  current = factory;
  return () => {
    if (current === factory) current = null;
  };
}

/** The store the override makes for the demo's options, or null without an override. */
export function overriddenRedisStore(options: RedisStoreOptions): RedisStore | null {
  // The factory opens its store with redisStore too: that inner call gets the real one.
  if (!current || inside) return null;
  inside = true;
  try {
    return current(options);
  } finally {
    inside = false;
  }
}
let inside = false;
