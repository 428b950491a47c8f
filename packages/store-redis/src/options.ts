import {
  type Clock,
  ConfigError,
  type Duration,
  type KnownOptions,
  parseDuration,
  unknownOptionIssues,
} from '@sess/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** The default of `watermarkTtl`: browsers cap cookie lifetimes at 400 days. */
export const DEFAULT_WATERMARK_TTL: Duration = '400d';

/** The default of `timeout`. */
export const DEFAULT_TIMEOUT: Duration = '2s';

/** Options of {@link redisStore}. Give exactly one of `client` and `url`. */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` client you own: the store never closes it and never changes
   * its settings (give it fail-fast settings yourself, see {@link failFastOptions}). It must not
   * use ioredis' `keyPrefix`: use `prefix` instead.
   */
  client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` URL for a single-node client that the store creates with
   * {@link failFastOptions} and closes in `close()`. For a Cluster, pass a `client`.
   */
  url?: string;
  /**
   * ioredis options for the client created from `url`, applied over {@link failFastOptions}.
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
   * The longest any operation may take (seconds, or a string such as `'500ms'`); past it the
   * operation rejects, which core answers with a 503. A backstop for clients that would wait
   * longer: a Cluster client queues commands without a time limit while it has no slot map, and
   * ioredis' defaults retry a command for several seconds. On a single node every operation is
   * one command, so a client whose own `commandTimeout` is at most this (as with
   * {@link failFastOptions}: 1 s) is bounded by that instead, with no timer per call.
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
   * The time source for expiry on read. Redis drops keys by its own clock; the store also checks
   * `expiresAt` against this one, so clock drift never returns an expired record.
   * @default systemClock (`Date.now`)
   */
  clock?: Clock;
  /**
   * Receives errors that happen outside any call, so nobody awaits them: connection errors of the
   * client the store created and of its subscriber connection (each failed reconnect attempt),
   * exceptions thrown by `subscribe` listeners, malformed broadcasts. Operations never report here:
   * they reject.
   * @default one `console.error` line when errors start (the error's code, no stack), then one
   *   with the count of errors when the store's own client is ready again: never a line per
   *   reconnect attempt
   */
  onError?: (error: unknown) => void;
}

const KNOWN = {
  client: true,
  url: true,
  clientOptions: true,
  prefix: true,
  timeout: true,
  watermarkTtl: true,
  clock: true,
  onError: true,
} as const satisfies KnownOptions<RedisStoreOptions>;

function hasKeyPrefix(client: Redis | Cluster): boolean {
  const options = client.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } };
  return Boolean(options.keyPrefix || options.redisOptions?.keyPrefix);
}

/** Checks `options` once, at construction; returns the durations in milliseconds. */
export function validate(options: RedisStoreOptions): {
  timeoutMs: number;
  watermarkTtlMs: number;
} {
  const issues = unknownOptionIssues(options, KNOWN, { path: 'redisStore' });
  const { client, url } = options;
  if ((client === undefined) === (url === undefined)) {
    issues.push('redisStore: give exactly one of `client` and `url`');
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
  const positive = (value: Duration, option: string): number => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) issues.push(`redisStore.${option}: must be a positive duration`);
    return ms ?? 0;
  };
  const timeoutMs = positive(options.timeout ?? DEFAULT_TIMEOUT, 'timeout');
  const watermarkTtlMs = positive(options.watermarkTtl ?? DEFAULT_WATERMARK_TTL, 'watermarkTtl');
  if (issues.length > 0) throw new ConfigError(issues);
  return { timeoutMs, watermarkTtlMs };
}
