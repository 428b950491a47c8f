import {
  ConfigError,
  type KnownOptions,
  type SessionStore,
  STORE_OPTION_NAMES,
  type StoreOptions,
  unknownOptionIssues,
} from '@sess/core';
import { redactUrl } from './redact.ts';
import { STORE_PACKAGES, STORE_SCHEMES, type StoreKind, storeKind } from './schemes.ts';

/** Options of {@link openStore}: the shared store options, and the few that name where data lives. */
export interface OpenStoreOptions extends StoreOptions {
  /** Redis only: the key prefix. @default 'sess:' */
  prefix?: string;
  /** Postgres only: the schema of the tables. @default 'public' */
  schema?: string;
  /** Postgres and SQLite: the sessions table. @default 'sess_sessions' */
  table?: string;
  /**
   * Postgres and SQLite: create the tables first (idempotent), as each store's `migrate` does.
   * Without it they must exist already. Redis and memory stores have nothing to create.
   * @default false
   */
  migrate?: boolean;
}

/** A store opened by {@link openStore}: `close()` releases the connection or file it opened. */
export type OpenedStore = SessionStore & { close(): Promise<void> };

const KNOWN = {
  ...STORE_OPTION_NAMES,
  prefix: true,
  schema: true,
  table: true,
  migrate: true,
} as const satisfies KnownOptions<OpenStoreOptions>;

// Which store kinds each location option applies to; any other kind refuses it.
const APPLIES: Readonly<Record<'prefix' | 'schema' | 'table', readonly StoreKind[]>> = {
  prefix: ['redis'],
  schema: ['postgres'],
  table: ['postgres', 'sqlite'],
};

/**
 * Opens the store a URL names, loading only the package that store needs: `redis://`, `rediss://`
 * and `redis+sentinel://` (`@sess/store-redis`), `postgres://` and `postgresql://`
 * (`@sess/store-postgres`), `file:<path>` (`@sess/store-sqlite`), and `memory:` (core's memory
 * store, for tests and demos). The store creates and owns its connection; `close()` releases it.
 *
 * A store package (or its driver) that is not installed is a `ConfigError` naming what to
 * install; so is an unknown scheme, or an option the URL's store does not have (`prefix` with a
 * Postgres URL). For anything beyond these options, call the store's own factory.
 *
 * @example
 * ```ts
 * import { createSessionManager } from '@sess/core';
 * import { openStore } from '@sess/store-url';
 *
 * const store = await openStore(process.env.SESS_STORE_URL ?? 'file:data/sessions.db', {
 *   migrate: true,
 * });
 * const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
 * ```
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const kind = typeof url === 'string' ? storeKind(url) : null;
  const issues = unknownOptionIssues(options, KNOWN, { path: 'openStore' });
  if (kind === null) {
    const shown = typeof url === 'string' ? redactUrl(url) : typeof url;
    issues.push(`openStore: ${shown} is not a store URL (${STORE_SCHEMES.join(', ')})`);
  } else {
    for (const [option, kinds] of Object.entries(APPLIES)) {
      if (options[option as keyof typeof APPLIES] !== undefined && !kinds.includes(kind)) {
        issues.push(`openStore.${option}: only for ${kinds.join(' and ')} URLs`);
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return OPENERS[kind!](url, options);
}

/** The shared {@link StoreOptions} in `options`, without the location ones. */
function shared({ clock, logger, timeout }: OpenStoreOptions): StoreOptions {
  return { clock, logger, timeout };
}

const OPENERS: Readonly<
  Record<StoreKind, (url: string, options: OpenStoreOptions) => Promise<OpenedStore>>
> = {
  async redis(url, options) {
    const { redisStore } = await load('redis', () => import('@sess/store-redis'));
    return redisStore({ url, prefix: options.prefix, ...shared(options) });
  },
  async postgres(url, options) {
    const { migrate, postgresStore } = await load('postgres', () => import('@sess/store-postgres'));
    const { schema, table } = options;
    const store = postgresStore({ url, schema, table, ...shared(options) });
    if (options.migrate === true) {
      await migrate(store.pool, { schema, table }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
    }
    return store;
  },
  async sqlite(url, options) {
    const { sqliteStore } = await load('sqlite', () => import('@sess/store-sqlite'));
    const { table, migrate } = options;
    return sqliteStore({ url, table, migrate, ...shared(options) });
  },
  async memory(_url, options) {
    const { memoryStore } = await import('@sess/core/memory');
    return memoryStore({ clock: options.clock });
  },
};

/**
 * Imports a store package. A missing package or driver (an optional peer nobody installed) becomes
 * a `ConfigError` naming both; any other failure is rethrown as it is.
 */
async function load<T>(kind: StoreKind, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { name, driver } = STORE_PACKAGES[kind];
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      [name, driver].some((module) => module !== null && message.includes(`'${module}`));
    if (!missing) throw error;
    const needed = [name, driver].filter((module) => module !== null);
    throw new ConfigError([
      `openStore: ${kind} URLs need ${needed.join(' and ')}: npm install ${needed.join(' ')}`,
    ]);
  }
}
