import { GLOBAL_SCOPE } from '@sess/core';
import { makeRecord, randomId } from '@sess/store-test-kit';
import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import { type Command, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durability, slotOf } from '../src/durability.ts';
import { failFastOptions, redisStore } from '../src/index.ts';
import { command, replicate, type Server, startServer } from './servers.ts';
import { describeServers, ownedClientStore, probe, randomPrefix } from './support.ts';

describe('redisStore durability option', () => {
  const url = 'redis://127.0.0.1:1';
  it('is checked with the other options, and must end before the store gives up', () => {
    expect(() =>
      redisStore({ url, durability: { replicas: 0, timeout: '5s', replica: 1 } as never }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'redisStore.durability.replica: unknown option (did you mean `replicas`?)',
          'redisStore.durability.replicas: must be an integer >= 1',
          'redisStore.durability.timeout: must be below the store `timeout`',
        ],
      }),
    );
    expect(() => redisStore({ url, durabilty: { replicas: 1 } } as never)).toThrow(
      expect.objectContaining({
        issues: ['redisStore.durabilty: unknown option (did you mean `durability`?)'],
      }),
    );
  });

  it('computes Cluster hash slots as Redis does (CRC16 of the hash tag)', () => {
    // Values from CLUSTER KEYSLOT on Redis 7.
    expect(slotOf('foo')).toBe(12_182);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
    expect(slotOf('{user1000}.following')).toBe(slotOf('user1000'));
    expect(slotOf('foo{}{bar}')).toBe(slotOf('foo{}{bar}'));
    expect(slotOf('foo{{bar}}zap')).toBe(slotOf('{bar'));
  });
});

describe('the durable write path, on a stub connection', () => {
  // Redis 7.0 runs the suites, so WAITAOF (7.2+) is exercised here against a stand-in.
  const stub = (version: string, acks: number) => {
    const sent: unknown[][] = [];
    const client = {
      isCluster: false,
      info: async () => `# Server\r\nredis_version:${version}\r\n`,
      evalsha: (...args: unknown[]) => {
        sent.push(['evalsha', ...args.slice(0, 1)]);
        return Promise.resolve(1);
      },
      call: (...args: unknown[]) => {
        sent.push(args);
        return Promise.resolve(args[0] === 'WAITAOF' ? [0, acks] : acks);
      },
    };
    return { client: client as never, sent };
  };
  const SCRIPT = { sha: 'abc', source: 'return 1' };

  it('sends WAITAOF 0 <replicas> <timeout> on Redis 7.2 and later, WAIT before', async () => {
    for (const [version, expected] of [
      ['7.2.4', ['WAITAOF', 0, 2, 75]],
      ['8.0.0', ['WAITAOF', 0, 2, 75]],
      ['7.0.15', ['WAIT', 2, 75]],
      ['6.2.14', ['WAIT', 2, 75]],
    ] as const) {
      const { client, sent } = stub(version, 2);
      const writes = durability(client, { replicas: 2, timeoutMs: 75 })('deny');
      await writes.script(SCRIPT, ['k'], []);
      await writes.settle();
      expect(sent).toEqual([['evalsha', 'abc'], expected]);
    }
  });

  it('rejects when the replicas counted in the reply are too few', async () => {
    const { client } = stub('7.2.0', 1);
    const writes = durability(client, { replicas: 2, timeoutMs: 75 })('update');
    await writes.script(SCRIPT, ['k'], []);
    await expect(writes.settle()).rejects.toThrow(
      'redisStore.update: 1 of 2 replicas acknowledged the write within 75 ms',
    );
  });
});

describeServers('redisStore with durability on a master and one replica', () => {
  let master: Server;
  let replica: Server;
  const clients: Redis[] = [];
  const connect = (port = master.port): Redis => {
    const client = new Redis({ host: '127.0.0.1', port, ...failFastOptions });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    [master, replica] = await Promise.all([startServer(), startServer()]);
    await replicate(replica, master);
  }, 30_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all([master?.kill(), replica?.kill()]);
  });

  describeStoreConformance('the whole kit with durability { replicas: 1 }', async () => {
    const made = await ownedClientStore(() => connect())();
    // The same fixture with the store rebuilt with durability on (the kit only sees the store).
    const client = connect();
    const prefix = randomPrefix();
    const store = redisStore({
      client,
      prefix,
      clock: made.clock,
      durability: { replicas: 1, timeout: '500ms' },
    });
    return {
      ...made,
      store,
      probe: probe(connect(), prefix),
      fail: async () => client.disconnect(),
    };
  });

  it('sends WAIT right behind each write, on the same connection, and only behind writes', async () => {
    const client = connect();
    const store = redisStore({
      client,
      prefix: randomPrefix(),
      durability: { replicas: 1, timeout: '200ms' },
    });
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (c: Command, ...rest: unknown[]) => {
      sent.push(c.name);
      return send(c, ...(rest as []));
    };
    await store.create(makeRecord(Date.now())); // loads the scripts (EVAL after NOSCRIPT)
    await store.deny(`jti:${randomId()}`, Date.now() + 60_000);
    await store.delete(randomId());
    const record = makeRecord(Date.now());
    sent.length = 0;
    await store.create(record);
    await store.get(record.id);
    await store.update({ ...record, version: record.version + 1 }, record.version);
    await store.deny(`jti:${randomId()}`, Date.now() + 60_000);
    await store.setNotBefore(record.userId, Date.now());
    await store.delete(record.id);
    const writes = sent.map((name) => name.toLowerCase());
    expect(writes).toEqual([
      'evalsha',
      'wait', // create
      'get', // get: a read, no wait
      'evalsha',
      'wait', // update
      'evalsha',
      'wait', // deny
      'evalsha',
      'wait', // setNotBefore
      'evalsha',
      'wait', // delete
      'zrem',
      'wait', // ...and its index entry (single node: the record key does not name the user)
    ]);
  });

  it('a revocation the replica acknowledged is on the replica when the store answers', async () => {
    const prefix = randomPrefix();
    const store = redisStore({
      client: connect(),
      prefix,
      durability: { replicas: 1, timeout: '500ms' },
    });
    const onReplica = connect(replica.port);
    for (let i = 0; i < 20; i++) {
      const key = `jti:${randomId()}`;
      await store.deny(key, Date.now() + 60_000);
      expect(await onReplica.exists(`${prefix}d:${key}`)).toBe(1);
    }
    const at = Date.now();
    await store.setNotBefore(GLOBAL_SCOPE, at);
    expect(await onReplica.get(`${prefix}w:*`)).toBe(String(at));
  });

  it('without enough replicas every write rejects within the wait, never succeeds; reads go on', async () => {
    const prefix = randomPrefix();
    const store = redisStore({
      client: connect(),
      prefix,
      durability: { replicas: 2, timeout: '100ms' }, // there is one replica
    });
    const record = makeRecord(Date.now());
    const writes: Array<[string, () => Promise<unknown>]> = [
      ['create', () => store.create(makeRecord(Date.now()))],
      ['createCapped', () => store.createCapped(makeRecord(Date.now()), capOf())],
      ['deny', () => store.deny(`jti:${randomId()}`, Date.now() + 60_000)],
      ['setNotBefore', () => store.setNotBefore(record.userId, Date.now())],
      ['delete', () => store.delete(record.id)],
      ['deleteByUser', () => store.deleteByUser(record.userId)],
    ];
    for (const [operation, write] of writes) {
      const started = performance.now();
      await expect(write()).rejects.toThrow(
        `redisStore.${operation}: 1 of 2 replicas acknowledged the write within 100 ms`,
      );
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect(await store.get(record.id)).toBeNull();
    expect(await store.isDenied(`jti:${randomId()}`)).toBe(false);
  });

  it('a replica that went away makes writes fail (503), and they succeed again once it is back', async () => {
    const store = redisStore({
      client: connect(),
      prefix: randomPrefix(),
      durability: { replicas: 1, timeout: '100ms' },
    });
    await command(replica.port, 'REPLICAOF', 'NO', 'ONE');
    try {
      await expect(store.deny(`jti:${randomId()}`, Date.now() + 60_000)).rejects.toThrow(
        '0 of 1 replicas',
      );
    } finally {
      await replicate(replica, master);
    }
    await store.deny(`jti:${randomId()}`, Date.now() + 60_000);
  }, 20_000);
});

const capOf = () => ({ max: 3, evictOldest: true, notBefore: 0, now: Date.now() });
