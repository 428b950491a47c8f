import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GLOBAL_SCOPE, type RevocationEvent } from '@sess/core';
import { makeRecord, randomId } from '@sess/store-test-kit';
import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import { Cluster, type Command } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { failFastOptions, redisStore, scanKeys } from '../src/index.ts';
import { describeServers, ownedClientStore, randomPrefix, removeKeys } from './support.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/cluster.mjs', import.meta.url));

describeServers('redisStore on a 3-master Redis Cluster (started by scripts/cluster.mjs)', () => {
  let running: { dir: string; ports: number[] } | undefined;
  // Synchronous, so that it also works from the process 'exit' hook if the run dies early.
  const stopCluster = (): void => {
    if (!running) return;
    const { dir } = running;
    running = undefined;
    execFileSync(process.execPath, [SCRIPT, 'stop', dir], { stdio: 'inherit' });
  };
  const clients: Cluster[] = [];
  const connect = (): Cluster => {
    if (!running) throw new Error('the cluster is not running');
    const nodes = running.ports.map((port) => ({ host: '127.0.0.1', port }));
    const client = new Cluster(nodes, { redisOptions: { ...failFastOptions } });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    process.once('exit', stopCluster);
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, 'start']);
    running = JSON.parse(stdout) as { dir: string; ports: number[] };
  }, 60_000);

  afterAll(() => {
    for (const client of clients) client.disconnect();
    stopCluster();
    process.off('exit', stopCluster);
  });

  describeStoreConformance(
    'the whole kit through an ioredis Cluster client',
    ownedClientStore(connect),
  );

  it('spreads users over every master, and each user stays in one slot', async () => {
    const client = connect();
    const prefix = randomPrefix();
    const store = redisStore({ client, prefix });
    const now = Date.now();
    const users = Array.from({ length: 30 }, () => `user-${randomId()}`);
    await Promise.all(users.map((userId) => store.create(makeRecord(now, { userId }))));

    const perMaster: number[] = [];
    for (const node of client.nodes('master')) {
      let count = 0;
      for await (const _ of scanKeys(node, `${prefix}u:`)) count++;
      perMaster.push(count);
    }
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((count) => count > 0)).toBe(true);
    expect(perMaster.reduce((a, b) => a + b)).toBe(users.length);
    await removeKeys(client, prefix);
  });

  it('get is one command when the id is known here, two (pointer, then session) when not', async () => {
    const client = connect();
    const prefix = randomPrefix();
    const writer = redisStore({ client, prefix });
    const record = makeRecord(Date.now());
    await writer.create(record);

    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command: Command, ...rest: unknown[]) => {
      sent.push(command.name);
      return send(command, ...(rest as []));
    };
    expect(await writer.get(record.id)).toEqual(record); // cached by create
    expect(sent).toEqual(['get']);

    const reader = redisStore({ client, prefix }); // another instance: nothing cached
    sent.length = 0;
    expect(await reader.get(record.id)).toEqual(record);
    expect(await reader.get(record.id)).toEqual(record);
    expect(sent).toEqual(['get', 'get', 'get']);
    await removeKeys(client, prefix);
  });

  it('logs revocations from every slot in the log’s own slot, with the value each key kept', async () => {
    const client = connect();
    const prefix = randomPrefix();
    const store = redisStore({ client, prefix });
    const now = Date.now();
    // Written before the log existed, with a later expiry than the deny below asks for.
    await client.set(`${prefix}d:jti:old`, String(now + 900_000), 'PXAT', now + 900_000);
    await store.deny('jti:old', now + 60_000);
    const keys = Array.from({ length: 12 }, () => `jti:${randomId()}`);
    for (const key of keys) await store.deny(key, now + 60_000);
    await store.setNotBefore(GLOBAL_SCOPE, now);
    const events = await store.recentRevocations(now - 1_000, now);
    expect(events).toHaveLength(keys.length + 2);
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'deny', key: 'jti:old', expiresAt: now + 900_000 },
        ...keys.map((key) => ({ type: 'deny', key, expiresAt: now + 60_000 })),
        { type: 'not-before', scope: GLOBAL_SCOPE, at: now },
      ]),
    );

    // Written by a version without the log: found on every master by the first call of a prefix.
    const backfilled = `${prefix}{${prefix}revocations}:backfilled`;
    const logs = ['deny-written', 'deny-until', 'marks-written', 'marks-at', 'backfilled'];
    await client.del(...logs.map((name) => `${prefix}{${prefix}revocations}:${name}`));
    const upgraded = redisStore({ client, prefix });
    const recovered = await upgraded.recentRevocations(now - 1_000, now);
    expect(new Set(recovered.map((e) => (e.type === 'deny' ? e.key : e.scope)))).toEqual(
      new Set(['jti:old', ...keys, GLOBAL_SCOPE]),
    );
    expect(await client.exists(backfilled)).toBe(1);
    await removeKeys(client, prefix);
  });

  it('broadcasts revocations between instances on different Cluster clients, from any slot', async () => {
    const prefix = randomPrefix();
    const a = redisStore({ client: connect(), prefix });
    const b = redisStore({ client: connect(), prefix });
    const received: RevocationEvent[] = [];
    const stop = b.subscribe((event) => received.push(event));
    const admin = connect();
    await expect
      .poll(
        async () => {
          const replies = await Promise.all(
            admin.nodes('master').map((node) => node.pubsub('NUMSUB', `${prefix}revocations`)),
          );
          return replies.reduce((sum, reply) => sum + Number((reply as [string, number])[1]), 0);
        },
        { timeout: 5_000 },
      )
      .toBe(1);
    // Deny keys hash to every master; each script publishes on the node that owns its key.
    const keys = Array.from({ length: 12 }, () => `jti:${randomId()}`);
    for (const key of keys) await a.deny(key, Date.now() + 60_000);
    await a.setNotBefore(GLOBAL_SCOPE, 42);
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(keys.length + 1);
    // Messages from different nodes may overtake each other on the cluster bus: compare as sets.
    const subjects = received.map((e) => (e.type === 'deny' ? e.key : e.scope));
    expect(subjects.sort()).toEqual([...keys, GLOBAL_SCOPE].sort());
    stop();
    await removeKeys(admin, prefix);
  });
});
