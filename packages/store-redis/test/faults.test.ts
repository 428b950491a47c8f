import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSessionManager, httpStatusFor } from '@sess/core';
import { randomId } from '@sess/store-test-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { failFastOptions, redisStore } from '../src/index.ts';
import { recordingLogger } from './logger.ts';
import { describeServers, freePort, managerOptions, waitFor } from './support.ts';

const COMMAND_TIMEOUT_MS = failFastOptions.commandTimeout as number;
// Timers on a busy 2-core CI machine fire a little late; nothing waits anywhere near 2x.
const LATENCY_LIMIT_MS = COMMAND_TIMEOUT_MS + 250;
const WORKERS = 8;
const OUTAGE_MS = 1_500;

interface Outcome {
  kind: 'live' | 'revoked' | 'create';
  started: number;
  finished: number;
  code: string | null; // null: accepted
}

describeServers(
  'faults: a private redis-server (AOF on) killed mid-traffic, then restarted',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-redis-faults-'));
    let port = 0;
    let server: ChildProcess | null = null;
    const kill = (): void => void server?.kill('SIGKILL');

    const start = async (): Promise<void> => {
      server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always', // every acknowledged write is on disk before the reply
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      );
      const probe = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => 50,
      });
      probe.on('error', () => {}); // refused until the server listens; polled below
      try {
        await waitFor('the private redis-server answers', async () =>
          probe.ping().then(
            (reply) => reply === 'PONG',
            () => false,
          ),
        );
      } finally {
        probe.disconnect();
      }
    };

    const stop = async (): Promise<void> => {
      const running = server;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    };

    beforeAll(async () => {
      process.once('exit', kill);
      port = await freePort();
      await start();
    }, 20_000);

    afterAll(async () => {
      await stop();
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    });

    it('fails every request with StoreError (503) in time, accepts nothing it should not, and recovers with nothing lost', async () => {
      const unhandled: unknown[] = [];
      const collect = (error: unknown): void => void unhandled.push(error);
      process.on('unhandledRejection', collect);
      process.on('uncaughtException', collect);
      const { logger, lines } = recordingLogger();
      const store = redisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'faults:', logger });
      try {
        const sess = createSessionManager({ ...managerOptions, store, strategy: 'database' });
        const jwt = createSessionManager({ ...managerOptions, store, strategy: 'jwt' });
        const live = await Promise.all(
          Array.from(
            { length: 10 },
            async () => (await sess.create(`user-${randomId()}`)).credential,
          ),
        );
        const revoked = (await sess.create(`user-${randomId()}`)).credential;
        await sess.revoke(revoked.split('.')[0]!);
        const denied = (await jwt.create(`user-${randomId()}`)).accessToken!;
        await jwt.revokeAccessToken(denied);

        // Traffic: WORKERS loops of validate (live and revoked credentials) and create.
        const outcomes: Outcome[] = [];
        let traffic = true;
        const call = async (kind: Outcome['kind'], n: number): Promise<void> => {
          const started = performance.now();
          let code: string | null = null;
          try {
            if (kind === 'create') await sess.create(`user-${randomId()}`);
            else await sess.validate(kind === 'revoked' ? revoked : live[n % live.length]!);
          } catch (error) {
            code = String((error as { code?: string }).code);
          }
          outcomes.push({ kind, started, finished: performance.now(), code });
        };
        const kinds = ['live', 'live', 'revoked', 'create'] as const;
        const workers = Array.from({ length: WORKERS }, async (_, w) => {
          for (let n = w; traffic; n++) {
            await call(kinds[n % kinds.length]!, n);
            await sleep(2);
          }
        });

        await sleep(200);
        await stop();
        const killedAt = performance.now();
        await sleep(OUTAGE_MS);
        const restartedAt = performance.now();
        await start();
        await expect
          .poll(
            () =>
              sess.validate(live[0]!).then(
                () => 'accepted',
                () => 'refused',
              ),
            {
              timeout: 10_000,
              interval: 20,
            },
          )
          .toBe('accepted');
        const recoveredAt = performance.now();
        traffic = false;
        await Promise.all(workers);

        // Nothing that should be refused was accepted, in any phase.
        expect(outcomes.filter((o) => o.kind === 'revoked' && o.code === null)).toEqual([]);
        // Every call made while the server was down failed as a store error, a 503, in time.
        const outage = outcomes.filter((o) => o.started >= killedAt && o.finished <= restartedAt);
        expect(outage.length).toBeGreaterThan(WORKERS);
        expect(new Set(outage.map((o) => o.code))).toEqual(new Set(['ERR_SESS_STORE']));
        expect(httpStatusFor('ERR_SESS_STORE')).toBe(503);
        const worst = Math.max(...outage.map((o) => o.finished - o.started));
        console.log(
          `faults: ${outage.length} requests during the outage, all StoreError/503; ` +
            `worst latency ${worst.toFixed(0)} ms (commandTimeout ${COMMAND_TIMEOUT_MS} ms); ` +
            `recovered ${(recoveredAt - restartedAt).toFixed(0)} ms after the restart began`,
        );
        expect(worst).toBeLessThanOrEqual(LATENCY_LIMIT_MS);
        // Outside the outage a failure can only be a refusal of the revoked credential.
        const unexpected = outcomes.filter(
          (o) =>
            o.code !== null &&
            o.code !== 'ERR_SESS_STORE' &&
            !(o.kind === 'revoked' && o.code === 'ERR_SESS_INVALID_CREDENTIAL'),
        );
        expect(unexpected).toEqual([]);

        // Same store, same process: what was written before the fault is there, revocations too.
        for (const credential of live)
          await expect(sess.validate(credential)).resolves.toBeTruthy();
        await expect(sess.validate(revoked)).rejects.toMatchObject({
          code: 'ERR_SESS_INVALID_CREDENTIAL',
        });
        const fresh = createSessionManager({ ...managerOptions, store, strategy: 'jwt' });
        await expect(fresh.validate(denied)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });

        // The outage was logged once when it began and once when it ended, by code.
        const outageLines = lines.map(({ level, fields }) => ({ level, fields }));
        expect(outageLines).toContainEqual({
          level: 'error',
          fields: { error: expect.any(String) },
        });
        expect(outageLines).toContainEqual({
          level: 'warn',
          fields: { failures: expect.any(Number) },
        });
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', collect);
        process.off('uncaughtException', collect);
        await store.close();
      }
    }, 60_000);
  },
);
