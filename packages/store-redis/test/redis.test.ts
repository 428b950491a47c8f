import { createHash, randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { GLOBAL_SCOPE, type RevocationEvent } from '@sess/core';
import { makeRecord, manualClock, randomId } from '@sess/store-test-kit';
import { type Command, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slotOf } from '../src/durability.ts';
import {
  escapeGlob,
  failFastOptions,
  type RedisStore,
  type RedisStoreOptions,
  redisStore,
  scanKeys,
} from '../src/index.ts';
import { GET_LEGACY, runScript } from '../src/scripts.ts';
import { recordingLogger } from './logger.ts';
import {
  describeRedis,
  REDIS_URL,
  randomPrefix,
  removeKeys,
  subscribers,
  testClient,
} from './support.ts';

const admin = testClient({ lazyConnect: true });
const opened: { client: Redis; prefix: string; store: RedisStore }[] = [];
afterEach(async () => {
  for (const { client, prefix, store } of opened.splice(0)) {
    await store.close();
    client.disconnect();
    await removeKeys(admin, prefix);
  }
});
afterAll(() => admin.disconnect());

/** A store on its own client; the connection name lets CLIENT LIST find its connections. */
function setup(options: Pick<RedisStoreOptions, 'logger' | 'watermarkTtl' | 'clock'> = {}) {
  const prefix = randomPrefix();
  const connectionName = `sess-test-${randomBytes(6).toString('hex')}`;
  const client = testClient({ connectionName });
  const store = redisStore({ client, prefix, ...options });
  opened.push({ client, prefix, store });
  return { client, prefix, store, connectionName };
}

async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of scanKeys(admin, prefix)) found.push(key);
  return found.sort();
}

const expireTime = async (key: string): Promise<number> =>
  Number(await admin.call('PEXPIRETIME', key));

/** The ids of the server's connections named `name` (of one type, if given). */
async function connectionIds(name: string, ...type: ['TYPE', 'pubsub'] | []): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST', ...type)) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /^id=(\d+) /.exec(line)![1]!);
}

const connectionsNamed = async (name: string): Promise<number> =>
  (await connectionIds(name)).length;

/** Resolves with the first event `match` accepts; rejects after 2 s. */
function nextEvent(
  store: RedisStore,
  match: (event: RevocationEvent) => boolean,
): Promise<RevocationEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('no matching event within 2 s'));
    }, 2_000);
    const unsubscribe = store.subscribe((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(event);
    });
  });
}

describeRedis('redisStore: configuration', () => {
  it('refuses bad options with a ConfigError that never quotes the URL', () => {
    const client = testClient();
    try {
      const cases: [object, RegExp][] = [
        [{}, /exactly one of `client` and `url`/],
        [{ client, url: REDIS_URL }, /exactly one/],
        [{ client: {} }, /expected an ioredis Redis or Cluster client/],
        [{ client, prefix: 'app{1}:' }, /prefix: must be a string without/],
        [{ client, watermarkTtl: '0s' }, /watermarkTtl: must be a positive duration/],
        [{ client, timeout: -1 }, /timeout: must be a positive duration/],
        [{ client, watermarkTtl: 'forever' }, /watermarkTtl/],
        [{ client, clientOptions: {} }, /clientOptions: only applies with `url`/],
        [{ url: 'http://user:hunter2@127.0.0.1:6379' }, /redis:\/\/ or rediss:\/\/ URL/],
      ];
      for (const [options, message] of cases) {
        let caught: unknown;
        try {
          redisStore(options as never);
        } catch (error) {
          caught = error;
        }
        expect(caught).toMatchObject({ code: 'ERR_SESS_CONFIG', message });
        expect(String((caught as Error).message)).not.toContain('hunter2');
      }
      const prefixed = testClient();
      prefixed.options.keyPrefix = 'app:';
      expect(() => redisStore({ client: prefixed })).toThrow(/keyPrefix is not supported/);
      prefixed.disconnect();
    } finally {
      client.disconnect();
    }
  });
});

describeRedis('redisStore: data layout', () => {
  it('keeps the index and watermark of a user in one hash tag that does not reveal the user id; a record key names its id alone', async () => {
    const { store, prefix } = setup();
    const userId = 'alice@example.com';
    const [a, b] = [makeRecord(Date.now(), { userId }), makeRecord(Date.now(), { userId })];
    await store.create(a!);
    await store.create(b!);
    await store.setNotBefore(userId, Date.now());
    const tag = createHash('sha256').update(userId).digest('base64url').slice(0, 22);
    expect(await keysOf(prefix)).toEqual(
      [
        `${prefix}r:${a!.id}`,
        `${prefix}r:${b!.id}`,
        `${prefix}u:{${tag}}`,
        `${prefix}w:{${tag}}`,
        `${prefix}{${prefix}revocations}:marks-at`,
        `${prefix}{${prefix}revocations}:marks-written`,
      ].sort(),
    );
    expect((await keysOf(prefix)).join(' ')).not.toContain('alice');
  });

  it('expires the index with its latest session, and each record with its own', async () => {
    const { store, prefix } = setup();
    const now = Date.now();
    const userId = `user-${randomId()}`;
    const early = makeRecord(now, { userId, expiresAt: now + 60_000 });
    const late = makeRecord(now, { userId, expiresAt: now + 7_200_000 });
    await store.create(early);
    await store.create(late);
    const tag = createHash('sha256').update(userId).digest('base64url').slice(0, 22);
    const index = `${prefix}u:{${tag}}`;
    expect(await expireTime(index)).toBe(late.expiresAt);

    // Shortening a session moves its key and the index.
    expect(await store.update({ ...late, version: 2, expiresAt: now + 120_000 }, 1)).toBe(true);
    expect(await expireTime(`${prefix}r:${late.id}`)).toBe(now + 120_000);
    expect(await expireTime(index)).toBe(now + 120_000);

    expect(await store.delete(late.id)).toBe(true);
    expect(await admin.zrange(index, 0, -1)).toEqual([early.id]);
    expect(await keysOf(prefix)).toEqual([`${prefix}r:${early.id}`, index].sort());
  });

  it('keeps a retained session and the index until retainUntil; a touch moves both', async () => {
    const { store, prefix } = setup();
    const now = Date.now();
    const userId = `user-${randomId()}`;
    const record = makeRecord(now, { userId, expiresAt: now + 60_000, retainUntil: now + 600_000 });
    await store.create(record);
    const tag = createHash('sha256').update(userId).digest('base64url').slice(0, 22);
    const [session, index] = [`${prefix}r:${record.id}`, `${prefix}u:{${tag}}`];
    for (const key of [session, index]) expect(await expireTime(key)).toBe(now + 600_000);
    const touched = { ...record, version: 2, expiresAt: now + 120_000, retainUntil: now + 900_000 };
    expect(await store.update(touched, 1)).toBe(true);
    for (const key of [session, index]) expect(await expireTime(key)).toBe(now + 900_000);
  });

  it('expires deny entries with what they deny and watermarks watermarkTtl after their instant', async () => {
    const { store, prefix } = setup({ watermarkTtl: '30d' });
    const at = Date.now();
    await store.deny('jti:one', at + 900_000);
    await store.deny('jti:one', at + 60_000); // never lowered
    expect(await expireTime(`${prefix}d:jti:one`)).toBe(at + 900_000);

    await store.setNotBefore(GLOBAL_SCOPE, at);
    await store.setNotBefore(GLOBAL_SCOPE, at - 5_000);
    expect(await admin.get(`${prefix}w:*`)).toBe(String(at));
    expect(await expireTime(`${prefix}w:*`)).toBe(at + 30 * 86_400_000);
  });

  it('logs revocations in one slot, with TTLs, trimming deny entries and watermarks that are over', async () => {
    const clock = manualClock();
    const { store, prefix } = setup({ watermarkTtl: '30d', clock });
    const log = (name: string) => `${prefix}{${prefix}revocations}:${name}`;
    const names = ['deny-written', 'deny-until', 'marks-written', 'marks-at'];
    const now = clock.now();
    await store.deny('jti:short', now + 60_000);
    await store.deny('jti:long', now + 900_000);
    await store.setNotBefore('user-1', now);
    expect(new Set(names.map((name) => slotOf(log(name)))).size).toBe(1);
    for (const name of ['deny-written', 'deny-until'])
      expect(await expireTime(log(name))).toBe(now + 900_000);
    for (const name of ['marks-written', 'marks-at'])
      expect(await expireTime(log(name))).toBe(now + 30 * 86_400_000);
    expect(await admin.zrange(log('deny-written'), 0, -1, 'WITHSCORES')).toEqual([
      'jti:long',
      String(now),
      'jti:short',
      String(now),
    ]);

    // The next write drops what is over: a deny entry past its expiry, a watermark past its TTL.
    clock.advance(60_000);
    await store.deny('jti:next', clock.now() + 60_000);
    await store.setNotBefore('user-2', clock.now() - 31 * 86_400_000);
    expect(await admin.zrange(log('deny-until'), 0, -1)).toEqual(['jti:next', 'jti:long']);
    expect(await admin.zrange(log('deny-written'), 0, -1)).toEqual(['jti:long', 'jti:next']);
    expect(await admin.zrange(log('marks-at'), 0, -1)).toEqual(['user-1']);
    expect(await admin.zrange(log('marks-written'), 0, -1)).toEqual(['user-1']);
  });

  it('logs the value a deny key kept, when it was written before the log existed', async () => {
    const { store, prefix } = setup();
    const now = Date.now();
    await admin.set(`${prefix}d:jti:old`, String(now + 900_000), 'PXAT', now + 900_000);
    await store.deny('jti:old', now + 60_000);
    expect(await store.recentRevocations(now - 1_000, now)).toEqual([
      { type: 'deny', key: 'jti:old', expiresAt: now + 900_000 },
    ]);
  });

  it('logs what versions before the log wrote, once per prefix; the global watermark is always read', async () => {
    const { client, store, prefix } = setup();
    const log = (name: string) => `${prefix}{${prefix}revocations}:${name}`;
    const now = Date.now();
    const alice = makeRecord(now, { userId: 'alice' });
    await store.create(alice);
    await store.deny('jti:a', now + 60_000);
    await store.setNotBefore('alice', now - 2_000);
    await store.setNotBefore('bob', now - 2_000); // no record left to learn the user id from
    await store.setNotBefore(GLOBAL_SCOPE, now - 5_000);
    const dropLog = () =>
      admin.del(...['deny-written', 'deny-until', 'marks-written', 'marks-at'].map(log));
    await dropLog(); // as a version without the log would have left Redis

    const upgraded = redisStore({ client, prefix });
    const recovered = [
      { type: 'deny', key: 'jti:a', expiresAt: now + 60_000 },
      { type: 'not-before', scope: 'alice', at: now - 2_000 },
      { type: 'not-before', scope: GLOBAL_SCOPE, at: now - 5_000 },
    ];
    const first = await upgraded.recentRevocations(now - 60_000, Date.now());
    expect(first).toHaveLength(recovered.length);
    expect(first).toEqual(expect.arrayContaining(recovered));
    expect(await expireTime(log('backfilled'))).toBeGreaterThan(now + 399 * 86_400_000);

    // Done once: neither this instance nor another one logs it again; the global watermark is
    // read from its key on every call all the same.
    await dropLog();
    const global = [{ type: 'not-before', scope: GLOBAL_SCOPE, at: now - 5_000 }];
    expect(await upgraded.recentRevocations(now - 60_000, Date.now())).toEqual(global);
    const another = redisStore({ client, prefix });
    expect(await another.recentRevocations(now - 60_000, Date.now())).toEqual(global);
  });

  it('a backfill read that fails while the scan waits for its next page rejects the call, never unhandled', async () => {
    const prefix = randomPrefix();
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      await admin.set(`${prefix}d:jti:${i}`, String(now + 60_000), 'PXAT', now + 60_000);
    }
    // Deny keys fail to read (the connection dropping mid-backfill); the scan yields a key per page,
    // so a failed read would otherwise wait for the next page with nobody listening. The pages are
    // served from one real scan: SCAN's own COUNT 1 would walk a busy shared server's whole
    // keyspace a bucket per round trip.
    const client = new Redis(REDIS_URL, failFastOptions);
    const { get } = client;
    const scan = client.scan as unknown as (...a: string[]) => Promise<[string, string[]]>;
    const matching = new Map<string, Promise<string[]>>();
    const all = async (match: string) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, page] = await scan.call(client, cursor, 'MATCH', match, 'COUNT', '1000');
        cursor = next;
        keys.push(...page);
      } while (cursor !== '0');
      return keys;
    };
    Object.assign(client, {
      get: (key: string) =>
        key.startsWith(`${prefix}d:`)
          ? Promise.reject(new Error('dropped'))
          : get.call(client, key),
      scan: async (cursor: string, _match: 'MATCH', match: string): Promise<[string, string[]]> => {
        if (!matching.has(match)) matching.set(match, all(match));
        const keys = await matching.get(match)!;
        await new Promise((resolve) => setTimeout(resolve, 1)); // a page comes after a round trip
        const at = Number(cursor);
        return [at + 1 >= keys.length ? '0' : String(at + 1), keys.slice(at, at + 1)];
      },
    });
    const store = redisStore({ client, prefix });
    opened.push({ client, prefix, store });
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      await expect(store.recentRevocations(now - 1_000, now)).rejects.toThrow('dropped');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unhandled).toEqual([]);
  });

  it('rejects times that are not finite numbers before writing anything', async () => {
    const { store, prefix } = setup();
    await expect(store.create(makeRecord(Date.now(), { expiresAt: Number.NaN }))).rejects.toThrow(
      TypeError,
    );
    await expect(store.deny('jti:x', Number.POSITIVE_INFINITY)).rejects.toThrow(TypeError);
    await expect(store.setNotBefore('user-1', Number.NaN)).rejects.toThrow(TypeError);
    await expect(store.recentRevocations(Number.NaN, Date.now())).rejects.toThrow(TypeError);
    expect(await keysOf(prefix)).toEqual([]);
  });

  it('refuses an update that names another user for the session (the id lives in its user’s slot)', async () => {
    const { store } = setup();
    const record = makeRecord(Date.now());
    await store.create(record);
    expect(await store.update({ ...record, version: 2, userId: 'someone-else' }, 1)).toBe(false);
    expect(await store.get(record.id)).toEqual(record);
  });
});

describeRedis('redisStore: round trips', () => {
  it('get is one GET on a single node, from any instance; a missing id also asks for a 0.1 record', async () => {
    const { client, store, prefix } = setup();
    const record = makeRecord(Date.now());
    await store.create(record);
    // A server that never ran this version's script answers the first EVALSHA with NOSCRIPT.
    await client.script('LOAD', GET_LEGACY.source);
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
      sent.push(command.name);
      return send(command, stream);
    };
    expect(await store.get(record.id)).toEqual(record);
    expect(await store.get(randomId())).toBeNull();
    const other = redisStore({ client, prefix }); // another instance: nothing to learn first
    expect(await other.get(record.id)).toEqual(record);
    expect(sent).toEqual(['get', 'get', 'evalsha', 'get']);

    expect(await store.delete(record.id)).toBe(true);
    expect(await other.get(record.id)).toBeNull(); // a remembered id of a deleted session is gone
  });

  it('falls back from EVALSHA to EVAL when the server does not know a script (NOSCRIPT)', async () => {
    const source = `return '${randomId()}'`; // never loaded before
    const script = { source, sha: createHash('sha1').update(source).digest('hex') };
    expect(await admin.script('EXISTS', script.sha)).toEqual([0]);
    expect(await runScript(admin, script, [], [])).toBe(source.slice(8, -1));
    expect(await admin.script('EXISTS', script.sha)).toEqual([1]);
    // Any other error is the script's own and is not retried.
    const failing = `return redis.call('NO-SUCH-COMMAND', '${randomId()}')`;
    const broken = { source: failing, sha: createHash('sha1').update(failing).digest('hex') };
    await expect(runScript(admin, broken, [], [])).rejects.toThrow(/Unknown Redis command/);
  });
});

describeRedis('redisStore: broadcast', () => {
  it('delivers revocations to another instance over pub/sub, once, and its own ones locally', async () => {
    const a = setup();
    const bClient = a.client.duplicate();
    const b = redisStore({ client: bClient, prefix: a.prefix });
    try {
      const onA: RevocationEvent[] = [];
      const stopA = a.store.subscribe((event) => onA.push(event));
      const key = `jti:${randomId()}`;
      const seenByB = nextEvent(b, (e) => e.type === 'deny' && e.key === key);
      await expect.poll(() => subscribers(admin, a.prefix), { timeout: 5_000 }).toBe(2);
      await a.store.deny(key, Date.now() + 60_000);
      expect(onA).toEqual([{ type: 'deny', key, expiresAt: expect.any(Number) }]);
      expect(await seenByB).toEqual(onA[0]);

      // B's own revocation reaches A through Redis; A's echo of its own deny never did.
      const scope = `user-${randomId()}`;
      const seenByA = nextEvent(a.store, (e) => e.type === 'not-before' && e.scope === scope);
      await b.setNotBefore(scope, 1234);
      expect(await seenByA).toEqual({ type: 'not-before', scope, at: 1234 });
      expect(onA.filter((e) => e.type === 'deny')).toHaveLength(1);
      stopA();
    } finally {
      await b.close();
      bClient.disconnect();
    }
  });

  it('keeps delivering when a listener throws, and logs the exception and malformed messages by code', async () => {
    const { logger, lines } = recordingLogger();
    const { store, prefix } = setup({ logger });
    const boom = new Error('listener bug at redis://:secret@10.0.0.1');
    const stopBad = store.subscribe(() => {
      throw boom;
    });
    const good: RevocationEvent[] = [];
    const stopGood = store.subscribe((event) => good.push(event));
    await expect.poll(() => subscribers(admin, prefix), { timeout: 5_000 }).toBe(1);
    await store.deny('jti:x', Date.now() + 60_000);
    expect(good).toHaveLength(1);
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'redisStore: a revocation listener threw',
        fields: { error: 'Error' },
      },
    ]);

    await admin.publish(`${prefix}revocations`, '{"type":"deny"}');
    await admin.publish(`${prefix}revocations`, '{"origin":"x","type":"deny","key":1}');
    await admin.publish(`${prefix}revocations`, 'not json');
    await expect.poll(() => lines.length).toBe(4);
    expect(lines.slice(1)).toEqual([
      { level: 'warn', message: 'redisStore: ignored a broadcast that is not a revocation' },
      { level: 'warn', message: 'redisStore: ignored a broadcast that is not a revocation' },
      {
        level: 'warn',
        message: 'redisStore: ignored a revocation broadcast that is not JSON',
        fields: { error: 'SyntaxError' },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(good).toHaveLength(1);
    stopBad();
    stopGood();
  });

  it('opens one subscriber connection on the first subscribe and closes it with the last', async () => {
    const { store, prefix, connectionName } = setup();
    // The client's own connection carries the name too; the subscriber is a duplicate of it.
    await expect.poll(() => connectionsNamed(connectionName), { timeout: 5_000 }).toBe(1);
    const stop1 = store.subscribe(() => {});
    const stop2 = store.subscribe(() => {});
    await expect.poll(() => subscribers(admin, prefix), { timeout: 5_000 }).toBe(1);
    expect(await connectionsNamed(connectionName)).toBe(2);
    stop1();
    stop1(); // idempotent
    expect(await subscribers(admin, prefix)).toBe(1);
    stop2();
    await expect.poll(() => connectionsNamed(connectionName), { timeout: 5_000 }).toBe(1);
    expect(await subscribers(admin, prefix)).toBe(0);
    store.subscribe(() => {});
    await expect.poll(() => subscribers(admin, prefix), { timeout: 5_000 }).toBe(1);
    await store.close();
    await expect.poll(() => connectionsNamed(connectionName), { timeout: 5_000 }).toBe(1);
    expect(await subscribers(admin, prefix)).toBe(0);
    expect(() => store.subscribe(() => {})).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_STORE', reason: 'closed' }),
    );
  });
});

describeRedis('redisStore: subscriber failures', () => {
  it('reports when the subscriber connection stops reconnecting (broadcasts no longer arrive)', async () => {
    const { logger, lines } = recordingLogger();
    const connectionName = `sess-test-${randomBytes(6).toString('hex')}`;
    const client = testClient({ connectionName, retryStrategy: () => null });
    const prefix = randomPrefix();
    const store = redisStore({ client, prefix, logger });
    opened.push({ client, prefix, store });
    store.subscribe(() => {});
    await expect.poll(() => subscribers(admin, prefix), { timeout: 5_000 }).toBe(1);
    // Kill only this store's subscriber: other suites share the server.
    const [id, ...more] = await connectionIds(connectionName, 'TYPE', 'pubsub');
    expect(id).toBeDefined();
    expect(more).toEqual([]);
    await admin.call('CLIENT', 'KILL', 'ID', id!);
    await expect
      .poll(() => lines.filter((l) => l.level === 'error').map((l) => l.message), {
        timeout: 5_000,
      })
      .toContainEqual(expect.stringContaining('the revocation subscriber stopped reconnecting'));
  });
});

describe('redisStore: a server that never answers (a silent TCP listener)', () => {
  let silent: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => void sockets.add(socket)); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('rejects at the store timeout when the client would wait forever', async () => {
    const client = new Redis(port, '127.0.0.1', {
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
    });
    const store = redisStore({ client, timeout: '300ms' });
    try {
      const started = performance.now();
      await expect(store.get(randomId())).rejects.toMatchObject({
        code: 'ERR_SESS_STORE',
        operation: 'get',
        reason: 'timeout',
        message: 'Session store operation "get" failed: no answer from Redis within 300 ms',
      });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(299);
      expect(elapsed).toBeLessThan(1_000);
    } finally {
      client.disconnect();
    }
  });

  it('leaves the bound to the client when its commandTimeout is shorter (failFastOptions)', async () => {
    const client = new Redis(port, '127.0.0.1', {
      ...failFastOptions,
      commandTimeout: 200,
      enableReadyCheck: false,
    });
    const store = redisStore({ client });
    try {
      await expect(store.isDenied('jti:x')).rejects.toThrow('Command timed out');
    } finally {
      client.disconnect();
    }
  });
});

describeRedis('redisStore: close', () => {
  it('closes the client it created, never one it was given', async () => {
    const prefix = randomPrefix();
    const owned = redisStore({ url: REDIS_URL, prefix });
    await owned.get(randomId());
    await owned.close();
    await expect(owned.get(randomId())).rejects.toThrow(/Connection is closed/);
    await owned.close(); // idempotent

    const { client, store } = setup();
    await store.close();
    expect(await client.ping()).toBe('PONG');
  });
});

it('escapes glob characters so SCAN matches a prefix literally', () => {
  expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
});
