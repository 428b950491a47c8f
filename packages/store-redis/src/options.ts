import {
  type Clock,
  ConfigError,
  DEFAULT_STORE_TIMEOUT,
  type Duration,
  type KnownOptions,
  type Logger,
  parseDuration,
  resolveStoreOptions,
  STORE_OPTION_NAMES,
  type StoreOptions,
  unknownOptionIssues,
} from '@sess/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { parseSentinelUrl, type SentinelAddress } from './client.ts';
import type { DurabilitySettings } from './durability.ts';
import { checkPrefix } from './keys.ts';

/** The default of `watermarkTtl`: browsers cap cookie lifetimes at 400 days. */
export const DEFAULT_WATERMARK_TTL: Duration = '400d';

/** The default of `timeout`: core's `DEFAULT_STORE_TIMEOUT`, the same for every store. */
export const DEFAULT_TIMEOUT: Duration = DEFAULT_STORE_TIMEOUT;

/**
 * Wait for replicas before answering a write: see {@link RedisStoreOptions.durability}.
 * @example `{ replicas: 1, timeout: '50ms' }`
 */
export interface DurabilityOptions {
  /** How many replicas must acknowledge each write (an integer from 1). */
  readonly replicas: number;
  /**
   * How long Redis waits for them (seconds, or a string such as `'50ms'`); below the store's
   * `timeout` and the client's `commandTimeout`. Fewer acknowledgements by then: the operation
   * rejects (a 503), although the master has the write.
   */
  readonly timeout: Duration;
}

/**
 * Options of {@link redisStore}. Give exactly one of `client`, `url` and `sentinels` (with
 * `name`). `clock`, `logger` and `timeout` are the options every store shares
 * ({@link StoreOptions}); what `timeout` bounds here is described below.
 */
export interface RedisStoreOptions extends StoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` client you own: the store never closes it and never changes
   * its settings (give it fail-fast settings yourself, see {@link failFastOptions}). It must not
   * use ioredis' `keyPrefix`: use `prefix` instead.
   */
  client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` URL for a single-node client that the store creates with
   * {@link failFastOptions} and closes in `close()`; or a
   * `redis+sentinel://[:password@]host:port[,host:port...]/<master name>[/<db>]` URL for a client
   * that finds the master through Sentinel, with {@link sentinelFailFastOptions} (the password is
   * the master's; a Sentinel's own goes in `clientOptions.sentinelPassword`). For a Cluster, pass
   * a `client` (see {@link clusterFailFastOptions}).
   */
  url?: string;
  /**
   * Sentinels to ask for the master named `name`: the store creates the client, as for a
   * `redis+sentinel://` URL.
   * @example `sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }]`
   */
  sentinels?: readonly SentinelAddress[];
  /** The master name the Sentinels monitor (`sentinel monitor <name> ...`); with `sentinels`. */
  name?: string;
  /**
   * ioredis options for the client created from `url` or `sentinels`, applied over
   * {@link failFastOptions} (and {@link sentinelFailFastOptions} with Sentinel).
   * @default {}
   */
  clientOptions?: RedisOptions;
  /**
   * Prepended to every key and to the broadcast channel (`<prefix>revocations`); instances that
   * share sessions must share it. It must not contain `{` or `}` (hash tags are the store's own).
   * @default 'sess:'
   */
  prefix?: string;
  /**
   * The longest any operation may take ({@link StoreOptions.timeout}): a backstop for clients that
   * would wait longer, since a Cluster client queues commands without a time limit while it has
   * no slot map, and ioredis' defaults retry a command for several seconds. On a single node
   * every operation is one command, so a client whose own `commandTimeout` is at most this (as
   * with {@link failFastOptions}: 1 s) is bounded by that instead, with no timer per call. Not
   * applied to `stats`, which scans every index (each of its commands is bounded by the client).
   * @default '2s'
   */
  timeout?: Duration;
  /**
   * How long a "not before" watermark (log out everywhere, `revokeEverything`) is kept after the
   * instant it names: seconds, or a string such as `'400d'`. It must exceed the longest session
   * lifetime (the largest absolute timeout of any session class) and the access-token lifetime:
   * once it expires, a session created before the watermark would validate again.
   * @default '400d' (browsers cap cookie lifetimes at 400 days)
   */
  watermarkTtl?: Duration;
  /**
   * The time source for expiry on read ({@link StoreOptions.clock}). Redis drops keys by its own
   * clock; the store also checks `expiresAt` against this one, so clock drift never returns an
   * expired record.
   * @default systemClock (`Date.now`)
   */
  clock?: Clock;
  /**
   * Where errors nobody awaits go ({@link StoreOptions.logger}): connection errors of the client
   * the store created and of its subscriber connection (each failed reconnect attempt) make one
   * `error` line when they start (`{ error: <code> }`) and one `warn` line with the count
   * (`{ failures }`) when the store's own client is ready again, never a line per attempt; an
   * exception thrown by a `subscribe` listener is an `error`, a malformed broadcast a `warn`.
   * Fields hold error codes only. Operations never report here: they reject.
   * @default defaultLogger (warnings and errors on stderr)
   */
  logger?: Logger;
  /**
   * Makes every write that matters for security or for a live session (a revocation: `deny`,
   * `setNotBefore`; `delete`, `deleteByUser`; `create`, `createCapped`; `update`, which rotates
   * and touches) wait until `replicas` replicas have it: `WAIT replicas timeout` on the connection
   * that wrote (in Cluster, the key's master), `WAITAOF 0 replicas timeout` on Redis 7.2 and later.
   * Fewer acknowledgements in time and the operation rejects (core answers 503), never succeeds.
   * Replication is asynchronous otherwise: a failover to a replica that missed a write undoes it,
   * and an undone revocation makes a revoked credential valid again. Reads are unchanged.
   * While it waits, the connection answers nothing else: see the cost in docs/stores/redis.md.
   * @default off: writes are answered once the master has them
   */
  durability?: DurabilityOptions;
}

const KNOWN = {
  ...STORE_OPTION_NAMES,
  client: true,
  url: true,
  clientOptions: true,
  prefix: true,
  watermarkTtl: true,
  sentinels: true,
  name: true,
  durability: true,
} as const satisfies KnownOptions<RedisStoreOptions>;

function hasKeyPrefix(client: Redis | Cluster): boolean {
  const options = client.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } };
  return Boolean(options.keyPrefix || options.redisOptions?.keyPrefix);
}

/** `options` checked once, at construction, with the defaults applied and durations in ms. */
export interface ValidOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly watermarkTtlMs: number;
  readonly durability: DurabilitySettings | null;
}

/** Checks `options` once, at construction, and throws one `ConfigError` with every problem. */
export function validate(options: RedisStoreOptions): ValidOptions {
  const path = 'redisStore';
  const issues = unknownOptionIssues(options, KNOWN, { path });
  const { clock, logger, timeoutMs } = resolveStoreOptions(options, path, issues);
  const { client, url, sentinels } = options;
  const given = [client, url, sentinels].filter((v) => v !== undefined).length;
  if (given !== 1) issues.push('redisStore: give exactly one of `client`, `url` and `sentinels`');
  if (url !== undefined && !validUrl(url)) {
    // The URL may hold a password: it is checked by shape and never quoted.
    issues.push(
      'redisStore.url: expected a redis://, rediss:// or redis+sentinel://host:port[,host:port]/<name> URL',
    );
  }
  if (sentinels !== undefined) {
    const valid = (s: SentinelAddress) =>
      typeof s?.host === 'string' && Number.isInteger(s.port) && s.port > 0 && s.port < 65_536;
    if (!Array.isArray(sentinels) || sentinels.length === 0 || !sentinels.every(valid)) {
      issues.push('redisStore.sentinels: expected a non-empty list of { host, port }');
    }
  }
  if ((sentinels === undefined) !== (options.name === undefined)) {
    issues.push('redisStore.name: give it with `sentinels`, and only then');
  } else if (options.name !== undefined && (typeof options.name !== 'string' || !options.name)) {
    issues.push('redisStore.name: expected the master name the Sentinels monitor');
  }
  if (client !== undefined) {
    if (typeof client?.evalsha !== 'function') {
      issues.push('redisStore.client: expected an ioredis Redis or Cluster client');
    } else if (hasKeyPrefix(client)) {
      issues.push("redisStore.client: ioredis' keyPrefix is not supported; use the prefix option");
    }
    if (options.clientOptions !== undefined) {
      issues.push('redisStore.clientOptions: only applies with `url`');
    }
  }
  const prefixIssue = checkPrefix(options.prefix);
  if (prefixIssue) issues.push(prefixIssue);
  const ttl = parseDuration(options.watermarkTtl ?? DEFAULT_WATERMARK_TTL);
  if (ttl === null || ttl <= 0) issues.push('redisStore.watermarkTtl: must be a positive duration');
  const durability = checkDurability(options.durability, timeoutMs, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { clock, logger, timeoutMs, watermarkTtlMs: ttl ?? 0, durability };
}

const validUrl = (url: unknown): boolean =>
  typeof url === 'string' && (/^rediss?:\/\//.test(url) || parseSentinelUrl(url) !== null);

const DURABILITY_KNOWN = {
  replicas: true,
  timeout: true,
} as const satisfies KnownOptions<DurabilityOptions>;

function checkDurability(
  value: DurabilityOptions | undefined,
  timeoutMs: number,
  issues: string[],
): DurabilitySettings | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) {
    issues.push('redisStore.durability: expected { replicas, timeout }');
    return null;
  }
  issues.push(...unknownOptionIssues(value, DURABILITY_KNOWN, { path: 'redisStore.durability' }));
  const { replicas } = value;
  if (!Number.isInteger(replicas) || replicas < 1) {
    issues.push('redisStore.durability.replicas: must be an integer >= 1');
  }
  const ms = parseDuration(value.timeout);
  if (ms === null || ms <= 0) {
    issues.push('redisStore.durability.timeout: must be a positive duration');
  } else if (timeoutMs > 0 && ms >= timeoutMs) {
    // The wait has to end, and be answered, before the store gives up on the operation.
    issues.push('redisStore.durability.timeout: must be below the store `timeout`');
  }
  return { replicas, timeoutMs: ms ?? 0 };
}
