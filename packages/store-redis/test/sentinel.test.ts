import type { RevocationEvent } from '@sess/core';
import { makeRecord, randomId } from '@sess/store-test-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSentinelUrl } from '../src/client.ts';
import { type RedisStore, redisStore } from '../src/index.ts';
import { command, replicate, type Server, startServer, until } from './servers.ts';
import { describeServers, randomPrefix } from './support.ts';

describe('redis+sentinel:// URLs', () => {
  it('name the Sentinels, the master, and optionally its password and database', () => {
    expect(parseSentinelUrl('redis+sentinel://127.0.0.1:26379,10.0.0.2:26380/mymaster')).toEqual({
      sentinels: [
        { host: '127.0.0.1', port: 26_379 },
        { host: '10.0.0.2', port: 26_380 },
      ],
      name: 'mymaster',
    });
    expect(parseSentinelUrl('redis+sentinel://:p%40ss@[::1],h/m/2')).toEqual({
      sentinels: [
        { host: '::1', port: 26_379 },
        { host: 'h', port: 26_379 },
      ],
      name: 'm',
      password: 'p@ss',
      db: 2,
    });
    expect(parseSentinelUrl('redis://127.0.0.1:6379')).toBeNull();
    expect(parseSentinelUrl('redis+sentinel://127.0.0.1:26379')).toBeNull(); // no master name
    expect(parseSentinelUrl('redis+sentinel://h:99999/m')).toBeNull();
  });

  it('a malformed one is refused without quoting it', () => {
    expect(() => redisStore({ url: 'redis+sentinel://:secret-9f8e@h:1' })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        message: expect.not.stringContaining('secret'),
      }),
    );
    expect(() => redisStore({ sentinels: [{ host: 'h', port: 1 }] } as never)).toThrow(
      expect.objectContaining({
        issues: ['redisStore.name: give it with `sentinels`, and only then'],
      }),
    );
  });
});

describeServers('redisStore on Sentinel (1 master, 1 replica, 3 sentinels)', () => {
  const NAME = 'sessmaster';
  let master: Server;
  let replica: Server;
  let sentinels: Server[] = [];
  const stores: RedisStore[] = [];

  beforeAll(async () => {
    [master, replica] = await Promise.all([startServer(), startServer()]);
    await replicate(replica, master);
    sentinels = await Promise.all(
      [0, 1, 2].map(() => startServer([], { monitor: master.port, name: NAME, quorum: 2 })),
    );
    // Every sentinel knows the replica and the other sentinels before anything is killed.
    await until(
      'sentinels ready',
      async () => {
        for (const s of sentinels) {
          const info = (await command(s.port, 'SENTINEL', 'MASTER', NAME)) as string[];
          const field = (name: string) => Number(info[info.indexOf(name) + 1]);
          if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false;
        }
        return true;
      },
      20_000,
    );
  }, 40_000);

  afterAll(async () => {
    for (const store of stores) await store.close();
    await Promise.all([master, replica, ...sentinels].map((s) => s?.kill()));
  });

  it('opens from a URL, follows a SIGKILLed master to the promoted replica (subscriber too), and logs the outage once', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    try {
      const url = `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${NAME}`;
      const prefix = randomPrefix();
      const a = redisStore({ url, prefix, durability: { replicas: 1, timeout: '500ms' } });
      const b = redisStore({
        sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
        name: NAME,
        prefix,
      });
      stores.push(a, b);
      const record = makeRecord(Date.now());
      await a.create(record);
      expect(await b.get(record.id)).toEqual(record);
      const received: RevocationEvent[] = [];
      b.subscribe((event) => received.push(event));
      const first = `jti:${randomId()}`;
      await expect
        .poll(async () => {
          await a.deny(first, Date.now() + 60_000);
          return received.some((e) => e.type === 'deny' && e.key === first);
        })
        .toBe(true);

      await master.kill();
      const killed = Date.now();
      // Operations fail (503) until the Sentinels promote the replica, each within the timeout.
      let recovered = 0;
      while (Date.now() - killed < 20_000) {
        const started = Date.now();
        const ok = await b.get(record.id).then(
          (r) => r !== null,
          () => false,
        );
        expect(Date.now() - started).toBeLessThan(2_500);
        if (ok) {
          recovered = Date.now() - killed;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(recovered).toBeGreaterThan(0);
      console.log(`[sentinel] the store answered again ${recovered} ms after the master's SIGKILL`);
      expect(await command(replica.port, 'ROLE')).toContain('master');
      // Durable writes need a replica, and none is left: they reject (never succeed).
      await expect(a.deny(`jti:${randomId()}`, Date.now() + 60_000)).rejects.toThrow();
      // The subscriber is on the new master: a revocation written there reaches it.
      const plain = redisStore({ url, prefix });
      stores.push(plain);
      const second = `jti:${randomId()}`;
      await expect
        .poll(
          async () => {
            await plain.deny(second, Date.now() + 60_000);
            return received.some((e) => e.type === 'deny' && e.key === second);
          },
          { timeout: 10_000, interval: 200 },
        )
        .toBe(true);
      // One line when the outage began (per client that saw it), one when it ended: no flood. The
      // default logger writes them to stderr.
      const ours = lines.filter((line) => /^sess (error|warn): redisStore: /.test(line));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.length).toBeLessThanOrEqual(6);
    } finally {
      log.mockRestore();
    }
  }, 45_000);
});
