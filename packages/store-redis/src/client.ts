import { ConfigError } from '@sess/core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * The ioredis settings of a client the store creates from a `url`: no command waits for a server
 * that is down, and the connection keeps coming back in the background. Spread them into a client
 * you create yourself to get the same behaviour (see the Failures section of the docs).
 *
 * - `maxRetriesPerRequest: 0`: when the connection drops, the commands in flight fail at once, and
 *   a command sent while reconnecting fails at the next failed attempt (at most 500 ms later)
 *   instead of ioredis' default of twenty attempts. No command is replayed after a reconnect.
 * - `retryStrategy`: reconnect after 50 ms, 100 ms, ... at most 500 ms apart, forever.
 * - `commandTimeout: 1000`: no command waits longer than 1 s, whatever the reason (an unreachable
 *   host, a blocked server); it rejects with "Command timed out".
 * - `connectTimeout: 1000`: a connection attempt to an unreachable host is given up after 1 s.
 * - `enableOfflineQueue: true`: a command sent before the first connection is ready waits for it
 *   (bounded by the above) instead of failing, so requests right after startup succeed.
 *
 * Every such failure rejects the store call, which core answers with a 503.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { failFastOptions, redisStore } from '@sess/store-redis';
 *
 * const client = new Redis(process.env.REDIS_URL!, { ...failFastOptions, commandTimeout: 500 });
 * const store = redisStore({ client });
 * ```
 */
export const failFastOptions: Readonly<RedisOptions> = Object.freeze({
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number): number => Math.min(attempt * 50, 500),
  commandTimeout: 1_000,
  connectTimeout: 1_000,
  enableOfflineQueue: true,
});

/** A client for `url` with {@link failFastOptions} under `options`; its errors go to `onError`. */
export function createClient(
  url: string,
  options: RedisOptions | undefined,
  onError: (error: unknown) => void,
): Redis {
  // The URL may hold a password: it is checked by shape and never quoted in an error.
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new ConfigError(['redisStore.url: expected a redis:// or rediss:// URL']);
  }
  const client = new Redis(url, { ...failFastOptions, ...options });
  client.on('error', onError);
  return client;
}

/** True for an ioredis `Cluster`, false for a single-node `Redis`. */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return client.isCluster === true;
}
