import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Duration } from '@sess/core';
import { makeRecord, randomId } from '@sess/store-test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresStore, postgresStore } from '../src/index.ts';
import { recordingLogger } from './support.ts';

// No Postgres needed: a loopback listener that accepts connections and never answers, the worst
// kind of outage (no refusal, no reset), which a Pool without timeouts waits on forever.
describe('postgresStore: a Pool of your own on a server that never answers', () => {
  let silent: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  const opened: { store: PostgresStore; pool: pg.Pool }[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy(); // the pending connects fail, and pools can end
    for (const { store, pool } of opened) {
      await store.close();
      await pool.end().catch(() => {});
    }
    await new Promise((resolve) => silent.close(resolve));
  });

  const open = (config: pg.PoolConfig, timeout: Duration) => {
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'app', database: 'app', ...config });
    pool.on('error', () => {}); // the connections die in afterAll
    const logger = recordingLogger();
    const store = postgresStore({ pool, timeout, logger });
    opened.push({ store, pool });
    return { store, logger };
  };

  it('bounds every operation with the store timeout, as a StoreError, and warns about the Pool', async () => {
    const { store, logger } = open({}, '300ms');
    expect(logger.lines).toEqual([expect.stringMatching(/the Pool has no timeouts/)]);
    const operations: [string, () => Promise<unknown>][] = [
      ['get', () => store.get(randomId())],
      ['createCapped', () => store.createCapped(makeRecord(Date.now()), cap())],
      ['deny', () => store.deny(`jti:${randomId()}`, Date.now() + 60_000)],
    ];
    for (const [operation, run] of operations) {
      const started = performance.now();
      await expect(run()).rejects.toMatchObject({
        code: 'ERR_SESS_STORE',
        operation,
        reason: 'timeout',
        message: `Session store operation "${operation}" failed: no answer from Postgres within 300 ms`,
      });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(295);
      expect(elapsed).toBeLessThan(1_000);
    }
  });

  it("leaves single statements to the Pool's own query_timeout when it is within the bound", async () => {
    const { store } = open({ query_timeout: 200, connectionTimeoutMillis: 200 }, '1s');
    const started = performance.now();
    const error = await store.get(randomId()).catch((e: unknown) => e);
    // pg's own refusal (no timer of ours raced it), well before the store's 1 s.
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toMatchObject({ code: 'ERR_SESS_STORE' });
    expect(performance.now() - started).toBeLessThan(900);
  });
});

const cap = () => ({ max: 3, evictOldest: true, notBefore: 0, now: Date.now() });
