import { ConfigError, StoreError } from '@sess/core';

/**
 * A session as express-session stored it: its `cookie` (with `expires` as an ISO string once
 * serialised) and whatever the app put on `req.session`.
 */
export interface LegacySession {
  /** The cookie express-session kept with the session; `expires` is null for a browser-session cookie. */
  readonly cookie?: {
    readonly expires?: string | Date | null;
    readonly originalMaxAge?: number | null;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/**
 * Where the legacy sessions live, as the migration reads them. `take` is what makes a legacy
 * cookie convert exactly once.
 */
export interface LegacyStore {
  /**
   * Reads a legacy session without consuming it; `null` when missing or expired at `now` (epoch
   * ms). Used to ask the app about the session before anything is removed.
   */
  peek(sid: string, now: number): Promise<LegacySession | null>;
  /**
   * Removes a legacy session and returns what it held, **atomically**: of any number of
   * concurrent calls with one `sid`, in any number of processes, exactly one receives the
   * session; the others, and every later call, receive `null`. `null` also when missing or
   * expired at `now`. Throws when the backend fails (never `null` for a failure).
   */
  take(sid: string, now: number): Promise<LegacySession | null>;
}

/** What {@link connectRedisStore} needs: connect-redis's `RedisStore` has exactly these fields. */
export interface ConnectRedisLike {
  /**
   * A node-redis (v4, v5; client or cluster) or ioredis client. Redis ≥ 6.2: `take` is one
   * `GETDEL`.
   */
  readonly client: object;
  /** connect-redis's key prefix. @default 'sess:' */
  readonly prefix?: string;
  /** connect-redis's serializer. @default JSON */
  readonly serializer?: { parse(text: string): unknown };
}

type RedisRead = (key: string) => Promise<string | Buffer | null>;

function method(client: object, ...names: string[]): RedisRead | null {
  for (const name of names) {
    const fn: unknown = (client as Record<string, unknown>)[name];
    if (typeof fn === 'function') return (key) => fn.call(client, key);
  }
  return null;
}

async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StoreError(operation, { cause: error });
  }
}

function asSession(value: unknown): LegacySession | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as LegacySession)
    : null;
}

/**
 * The legacy sessions of connect-redis: pass your `RedisStore` (or its client, prefix and
 * serializer). `take` is a single `GETDEL`, atomic on the server; expiry is the key's TTL, which
 * connect-redis set from the session's cookie.
 *
 * @throws ConfigError when the client has no `get` or `getDel`/`getdel`.
 * @example
 * ```ts
 * const legacy = connectRedisStore(new RedisStore({ client: redis, prefix: 'myapp:' }));
 * ```
 */
export function connectRedisStore(store: ConnectRedisLike): LegacyStore {
  const { client, prefix = 'sess:', serializer = JSON } = store;
  const get = client ? method(client, 'get') : null;
  const getDel = client ? method(client, 'getDel', 'getdel') : null;
  if (get === null || getDel === null) {
    throw new ConfigError(['connectRedisStore: a node-redis or ioredis client (get, getDel)']);
  }
  const parse = async (raw: string | Buffer | null) =>
    raw === null ? null : asSession(await serializer.parse(raw.toString()));
  return {
    peek: (sid) => guarded('legacy.peek', async () => parse(await get(prefix + sid))),
    take: (sid) => guarded('legacy.take', async () => parse(await getDel(prefix + sid))),
  };
}

/**
 * What {@link connectPgSimpleStore} needs: connect-pg-simple's `PGStore` (its `query` and
 * `quotedTable`, present since v6).
 */
export interface ConnectPgSimpleLike {
  query(
    sql: string,
    params: unknown[],
    callback: (error: Error | null, row?: Record<string, unknown>) => void,
  ): void;
  quotedTable(): string;
}

/**
 * The legacy sessions of connect-pg-simple: pass your `PGStore`. `take` is one
 * `DELETE … WHERE sid = $1 RETURNING`: Postgres lets exactly one of concurrent deletes return
 * the row. A row past its `expire` column is treated as missing, and removed.
 *
 * @example
 * ```ts
 * const legacy = connectPgSimpleStore(new (pgSession(session))({ pool }));
 * ```
 */
export function connectPgSimpleStore(store: ConnectPgSimpleLike): LegacyStore {
  if (typeof store?.query !== 'function' || typeof store.quotedTable !== 'function') {
    throw new ConfigError([
      'connectPgSimpleStore: a connect-pg-simple PGStore (query, quotedTable)',
    ]);
  }
  const run = (sql: string, params: unknown[]) =>
    new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      store.query(sql, params, (error, row) => (error ? reject(error) : resolve(row)));
    });
  const live = (row: Record<string, unknown> | undefined) => {
    if (row === undefined || !(row.live as boolean)) return null;
    const sess = row.sess;
    return asSession(typeof sess === 'string' ? JSON.parse(sess) : sess);
  };
  const table = () => store.quotedTable();
  return {
    peek: (sid, now) =>
      guarded('legacy.peek', async () => {
        const at = now / 1000;
        const row = await run(
          `SELECT sess, expire >= to_timestamp($2) AS live FROM ${table()} WHERE sid = $1`,
          [sid, at],
        );
        // An expired row goes now rather than at the next prune: it can never convert.
        if (row !== undefined && !row.live) {
          await run(`DELETE FROM ${table()} WHERE sid = $1 AND expire < to_timestamp($2)`, [
            sid,
            at,
          ]);
        }
        return live(row);
      }),
    take: (sid, now) =>
      guarded('legacy.take', async () =>
        live(
          await run(
            `DELETE FROM ${table()} WHERE sid = $1 RETURNING sess, expire >= to_timestamp($2) AS live`,
            [sid, now / 1000],
          ),
        ),
      ),
  };
}

/** Any express-session `Store`: callback-style `get` and `destroy`. */
export interface CallbackStoreLike {
  get(sid: string, callback: (error: unknown, session?: unknown) => void): void;
  destroy(sid: string, callback?: (error?: unknown) => void): void;
}

/** Options of {@link expressSessionStore}. */
export interface ExpressSessionStoreOptions {
  /**
   * Claims `sid` for conversion: resolves `true` for exactly one caller across every process
   * (for example Redis `SET migrated:<sid> 1 NX PX <ttl>`). A plain `get` then `destroy` cannot
   * tell two racing requests apart, so this is required.
   */
  claim(sid: string): Promise<boolean>;
}

/**
 * Any other express-session store, through its callback `get` and `destroy`, made exactly-once
 * by the `claim` you give: `take` claims, reads, then destroys. Prefer {@link connectRedisStore}
 * and {@link connectPgSimpleStore}, which need no claim.
 *
 * @throws ConfigError without `get`, `destroy` or `claim`.
 */
export function expressSessionStore(
  store: CallbackStoreLike,
  options: ExpressSessionStoreOptions,
): LegacyStore {
  const problems: string[] = [];
  if (typeof store?.get !== 'function' || typeof store.destroy !== 'function') {
    problems.push('expressSessionStore: an express-session Store (get, destroy)');
  }
  if (typeof options?.claim !== 'function') {
    problems.push('expressSessionStore: claim, an atomic first-caller-wins function');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const get = (sid: string) =>
    new Promise<LegacySession | null>((resolve, reject) => {
      store.get(sid, (error, session) => (error ? reject(error) : resolve(asSession(session))));
    });
  const destroy = (sid: string) =>
    new Promise<void>((resolve, reject) => {
      store.destroy(sid, (error) => (error ? reject(error) : resolve()));
    });
  return {
    peek: (sid) => guarded('legacy.peek', () => get(sid)),
    take: (sid) =>
      guarded('legacy.take', async () => {
        if (!(await options.claim(sid))) return null;
        const session = await get(sid);
        await destroy(sid);
        return session;
      }),
  };
}
