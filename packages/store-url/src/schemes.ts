/** The stores a URL can name, by the package that implements each. */
export type StoreKind = 'redis' | 'postgres' | 'sqlite' | 'memory';

/** What a store kind needs installed: its sess package and the driver that package runs on. */
export interface StorePackage {
  /** The sess store package, for example `@sess/store-redis`. */
  readonly name: string;
  /** The driver it loads, for example `ioredis`; null for the memory store. */
  readonly driver: string | null;
}

/** The package each kind comes from; the memory store is in `@sess/core` itself. */
export const STORE_PACKAGES: Readonly<Record<StoreKind, StorePackage>> = {
  redis: { name: '@sess/store-redis', driver: 'ioredis' },
  postgres: { name: '@sess/store-postgres', driver: 'pg' },
  sqlite: { name: '@sess/store-sqlite', driver: 'better-sqlite3' },
  memory: { name: '@sess/core', driver: null },
};

const SCHEMES: Readonly<Record<string, StoreKind>> = {
  'redis:': 'redis',
  'rediss:': 'redis',
  'redis+sentinel:': 'redis',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'file:': 'sqlite',
  'memory:': 'memory',
};

/** The URL schemes {@link storeKind} knows, for messages. */
export const STORE_SCHEMES: readonly string[] = Object.keys(SCHEMES);

/**
 * The kind of store `url` names, from its scheme (letter case ignored); null for any other URL.
 *
 * @example
 * ```ts
 * storeKind('rediss://cache.internal:6380'); // 'redis'
 * storeKind('file:data/sessions.db'); // 'sqlite'
 * ```
 */
export function storeKind(url: string): StoreKind | null {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  return (scheme && SCHEMES[scheme]) || null;
}
