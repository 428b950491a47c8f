import { ConfigError } from '@sess/core';
import { type Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A Sentinel to ask where the master is. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

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

/**
 * The ioredis settings of a client the store creates for Sentinel (a `redis+sentinel://` URL, or
 * `sentinels` and `name`): {@link failFastOptions} for the master connection, plus:
 *
 * - `failoverDetector: false` (ioredis' default, kept on purpose): with it, a `+switch-master`
 *   announced while the client is reconnecting (the master died) ends the client for good
 *   (ioredis 5: every later command fails with "Connection is closed."). Without it, the client
 *   finds the new master on its next reconnect: the old master is gone (a crash), or Sentinel
 *   closes its clients when it demotes it (`CLIENT KILL` after `REPLICAOF`, a graceful failover).
 * - `sentinelCommandTimeout: 500`: a Sentinel that does not answer is skipped after 500 ms.
 * - `sentinelRetryStrategy`: when no Sentinel answers, ask again after 50 ms, 100 ms, ... at most
 *   500 ms apart, forever (each failed round reaches the store's `logger`, once per outage).
 *
 * Every reconnect asks the Sentinels for the master again, so after a failover the client (and the
 * revocation subscriber, a duplicate of it) lands on the promoted replica.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore, sentinelFailFastOptions } from '@sess/store-redis';
 *
 * const client = new Redis({
 *   ...sentinelFailFastOptions,
 *   sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }],
 *   name: 'mymaster',
 * });
 * const store = redisStore({ client });
 * ```
 */
export const sentinelFailFastOptions: Readonly<RedisOptions> = Object.freeze({
  ...failFastOptions,
  failoverDetector: false,
  sentinelCommandTimeout: 500,
  sentinelRetryStrategy: (attempt: number): number => Math.min(attempt * 50, 500),
});

/**
 * Options for an ioredis `Cluster` that fails fast; `maxRetriesPerRequest: 0` alone does not bound
 * the Cluster client's own retries, which follow MOVED, ASK, TRYAGAIN, CLUSTERDOWN and closed
 * connections up to `maxRedirections` times (default 16, with 100 ms between retries).
 *
 * - `maxRedirections: 4`: a MOVED after a failover, an ASK during a migration, and a retry or two;
 *   then the command rejects.
 * - `retryDelayOnFailover: 200`, `retryDelayOnClusterDown: 200`, `retryDelayOnTryAgain: 100`: a
 *   command on a node that went away waits that long (and the slot map is refreshed) before it is
 *   tried again, so at most about 1 s of retries in all.
 * - `slotsRefreshTimeout: 1000`, `slotsRefreshInterval: 2000`: a slot map refresh gives up on a
 *   dead node after 1 s, and the map is re-read every 2 s, so a promoted replica is found soon.
 * - `clusterRetryStrategy`: reconnect after 100 ms, 150 ms, ... at most 500 ms apart, forever.
 * - `redisOptions`: {@link failFastOptions} for each node connection (`commandTimeout: 1000`).
 *
 * A failover takes about `cluster-node-timeout` (plus 1–2 s for the election and for the client
 * to see the new slot map); meanwhile operations on the failed master's slots reject within the
 * store's `timeout` (503), and the other slots keep working.
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis';
 * import { clusterFailFastOptions, redisStore } from '@sess/store-redis';
 *
 * const client = new Cluster([{ host: '10.0.0.1', port: 6379 }], clusterFailFastOptions);
 * const store = redisStore({ client });
 * ```
 */
export const clusterFailFastOptions: Readonly<ClusterOptions> = Object.freeze({
  maxRedirections: 4,
  retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 100,
  slotsRefreshTimeout: 1_000,
  slotsRefreshInterval: 2_000,
  clusterRetryStrategy: (attempt: number): number => Math.min(50 + attempt * 50, 500),
  enableOfflineQueue: true,
  redisOptions: {
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    connectTimeout: 1_000,
  },
});

const SENTINEL_URL =
  /^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@]+)\/([^/?#]+)(?:\/(\d+))?\/?$/;

/** The Sentinel settings in a `redis+sentinel://` URL, or null when it is not one. */
export function parseSentinelUrl(url: string): RedisOptions | null {
  const match = SENTINEL_URL.exec(url);
  if (!match) return null;
  const [, username, password, hosts = '', name = '', db] = match;
  const sentinels: SentinelAddress[] = [];
  for (const hostPort of hosts.split(',')) {
    const at = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
    if (!at) return null;
    const port = Number(at[2] ?? 26_379);
    if (port < 1 || port > 65_535) return null;
    sentinels.push({ host: at[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return {
    sentinels,
    name: decodeURIComponent(name),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

/**
 * A client for `url` (or for Sentinels) with the fail-fast settings under `options`; its errors go
 * to `onError`. The target was validated already; the throw below is a last guard.
 */
export function createClient(
  target: { url?: string; sentinels?: readonly SentinelAddress[]; name?: string },
  options: RedisOptions | undefined,
  onError: (error: unknown) => void,
): Redis {
  let client: Redis;
  if (target.sentinels !== undefined) {
    const sentinels = target.sentinels.map(({ host, port }) => ({ host, port }));
    client = new Redis({ ...sentinelFailFastOptions, ...options, sentinels, name: target.name });
  } else {
    // The URL may hold a password: it is checked by shape and never quoted in an error.
    const url = target.url;
    const sentinel = typeof url === 'string' ? parseSentinelUrl(url) : null;
    if (sentinel) {
      client = new Redis({ ...sentinelFailFastOptions, ...options, ...sentinel });
    } else if (typeof url === 'string' && /^rediss?:\/\//.test(url)) {
      client = new Redis(url, { ...failFastOptions, ...options });
    } else {
      throw new ConfigError([
        'redisStore.url: expected a redis://, rediss:// or redis+sentinel://host:port[,host:port]/<name> URL',
      ]);
    }
  }
  client.on('error', onError);
  return client;
}

/** True for an ioredis `Cluster`, false for a single-node `Redis`. */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return client.isCluster === true;
}
