import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { SessionManagerOptions } from '@sess/core';
import { manualClock, type RawProbe, type StoreFactory } from '@sess/store-test-kit';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { describe } from 'vitest';
import { failFastOptions, redisStore, scanKeys } from '../src/index.ts';

/** The shared server the suites talk to; loopback only. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const required = process.env.SESS_REQUIRE_SERVICES === '1';

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** `describe`, or `describe.skip` when a service is missing. */
export type Describe = (name: string, body: () => void) => void;

/**
 * `describe` when `available`, else `describe.skip` after one loud warning; with
 * SESS_REQUIRE_SERVICES=1 a missing service fails the file instead.
 */
function describeIf(available: boolean, what: string, cause?: unknown): Describe {
  if (available) return describe;
  if (required) throw new Error(`SESS_REQUIRE_SERVICES=1 but ${what}`, { cause });
  console.warn(
    `\n!!! SKIPPING @sess/store-redis tests: ${what} ` +
      '(start it, set REDIS_URL, or set SESS_REQUIRE_SERVICES=1 to fail instead) !!!\n',
  );
  return describe.skip;
}

async function ping(): Promise<unknown> {
  if (!LOOPBACK.has(new URL(REDIS_URL).hostname)) {
    throw new Error(`REDIS_URL must point at loopback; got ${redact(REDIS_URL)}`);
  }
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // the failed connect rejects below; this only silences the echo
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return error;
  } finally {
    client.disconnect();
  }
}

const pingError = await ping();

/** `describe` when the shared Redis answers (see {@link describeIf}). */
export const describeRedis: Describe = describeIf(
  pingError === null,
  `no Redis at ${redact(REDIS_URL)}`,
  pingError,
);

function hasBinaries(): boolean {
  return ['redis-server', 'redis-cli'].every(
    (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

/** `describe` when redis-server and redis-cli are installed, for suites that start their own servers. */
export const describeServers: Describe = describeIf(
  hasBinaries(),
  'redis-server / redis-cli are not on the PATH',
);

/** A fresh key prefix, so that cases never see each other's keys. */
export const randomPrefix = (): string => `sess-test:${randomBytes(6).toString('hex')}:`;

/** A client on the shared server with the store's fail-fast settings. */
export const testClient = (options: RedisOptions = {}): Redis =>
  new Redis(REDIS_URL, { ...failFastOptions, ...options });

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function removeKeys(client: Redis | Cluster, prefix: string): Promise<void> {
  for await (const key of scanKeys(client, prefix)) await client.unlink(key);
}

async function readKey(client: Redis | Cluster, key: string): Promise<unknown> {
  const type = await client.type(key);
  if (type === 'string') return client.get(key);
  if (type === 'hash') return client.hgetall(key);
  if (type === 'zset') return client.zrange(key, 0, -1, 'WITHSCORES');
  return `<${type}>`;
}

/** Reads the store's keys under `prefix` around the store, for the kit's raw-probe cases. */
export function probe(client: Redis | Cluster, prefix: string): Required<RawProbe> {
  return {
    async dump() {
      const found: Record<string, unknown> = {};
      for await (const key of scanKeys(client, prefix)) found[key] = await readKey(client, key);
      return JSON.stringify(found);
    },
    async unexpiringKeys() {
      const found: string[] = [];
      for await (const key of scanKeys(client, prefix)) {
        if ((await client.pttl(key)) === -1) found.push(key);
      }
      return found;
    },
    async backendExpiry(id) {
      // Found by name alone, without the store's pointer: <prefix>r:<id> on a single node,
      // <prefix>r:{<tag>}:<id> in Cluster.
      for await (const key of scanKeys(client, `${prefix}r:`)) {
        if (key !== `${prefix}r:${id}` && !key.endsWith(`}:${id}`)) continue;
        const at = Number(await client.call('PEXPIRETIME', key));
        return at >= 0 ? at : Number.POSITIVE_INFINITY; // -1: the key never expires
      }
      return null;
    },
  };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/** A loopback port nothing listens on (bind-tested), for a private redis-server. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (await canBind(port)) return port;
  }
  throw new Error('no free loopback port found');
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs`. For hooks, where expect.poll is not available. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many connections listen on the revocation channel of `prefix`. */
export async function subscribers(client: Redis, prefix: string): Promise<number> {
  const [, count] = (await client.pubsub('NUMSUB', `${prefix}revocations`)) as [string, number];
  return count;
}

/** Secret and jwt keys for the suites that build session managers over the store. */
export const managerOptions = {
  secret: 'redis-suite-secret-2b7f91c4d8e6a0f3b5c7d9e1',
  jwt: {
    keys: [{ kid: 'k1', alg: 'HS256' as const, secret: 'redis-suite-hs256-6e1d3c9a7b5f2e8d4c0a' }],
    issuer: 'https://auth.example.com',
    audience: 'https://api.example.com',
  },
} satisfies Omit<SessionManagerOptions, 'store'>;

/**
 * A kit factory over a client the test owns (`connect` makes one; single node or Cluster): an
 * injected clock, a raw probe through a second client, and `fail` disconnecting the store's client.
 */
export function ownedClientStore(connect: () => Redis | Cluster): StoreFactory {
  return async () => {
    const clock = manualClock();
    const client = connect();
    const admin = connect();
    const prefix = randomPrefix();
    const store = redisStore({ client, prefix, clock });
    return {
      store,
      clock,
      probe: probe(admin, prefix),
      fail: async () => client.disconnect(),
      cleanup: async () => {
        await store.close(); // its subscriber (core's managers subscribe); the client is ours
        client.disconnect();
        await removeKeys(admin, prefix);
        admin.disconnect();
      },
    };
  };
}
