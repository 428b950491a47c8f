import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomId } from '@sess/store-test-kit';
import { expect, it } from 'vitest';
import { redisStore } from '../src/index.ts';
import { recordingLogger } from './logger.ts';
import { describeRedis, freePort, REDIS_URL, randomPrefix } from './support.ts';

/** A TCP proxy on `port` to the shared Redis, so "the server comes back" needs no server of our own. */
async function proxyTo(port: number): Promise<{ close(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => {}); // torn down together below
      s.on('close', () => {
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  expect((server.address() as AddressInfo).port).toBe(port);
  return {
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeRedis('redisStore: background errors go to the logger', () => {
  it('logs one error when Redis is unreachable and one warning with the count when it answers again', async () => {
    const port = await freePort();
    const { logger, lines } = recordingLogger();
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, prefix: randomPrefix(), logger });
    let proxy: Awaited<ReturnType<typeof proxyTo>> | undefined;
    try {
      await expect(store.get(randomId())).rejects.toBeDefined();
      await expect.poll(() => lines.length, { timeout: 5_000 }).toBe(1);
      await sleep(600); // several reconnect attempts fail meanwhile, quietly
      expect(lines).toEqual([
        {
          level: 'error',
          message: expect.stringContaining('Redis is unreachable'),
          fields: { error: 'ECONNREFUSED' },
        },
      ]);

      proxy = await proxyTo(port);
      await expect.poll(() => lines.length, { timeout: 5_000 }).toBe(2);
      expect(lines[1]).toEqual({
        level: 'warn',
        message: 'redisStore: Redis answers again',
        fields: { failures: expect.any(Number) },
      });
      expect(lines[1]?.fields?.failures).toBeGreaterThan(1);
      await expect(store.get(randomId())).resolves.toBeNull();
      expect(JSON.stringify(lines)).not.toContain(String(port));
    } finally {
      await store.close();
      await proxy?.close();
    }
  });
});
