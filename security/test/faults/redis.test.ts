import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeViolations } from '../../src/faults/checker.ts';
import { type FaultProxy, startProxy } from '../../src/faults/proxy.ts';
import { type RedisInstance, redisInstance } from '../../src/faults/redis-instance.ts';
import { runScenario, type ScenarioResult, summary } from '../../src/faults/scenario.ts';
import { describeWith } from '../../src/faults/services.ts';
import { STEADY_MIX } from '../../src/faults/traffic.ts';

// The store's own bound (redisStore `timeout`, 2 s; the client's commandTimeout is 1 s), plus
// room for a busy 2-core machine.
const MAX_LATENCY_MS = 3_000;
const MAX_GROWTH_MB = 64;

function expectClean(name: string, r: ScenarioResult): void {
  console.log(summary(name, r));
  if (process.env.FAULT_HISTORY_DIR) {
    writeFileSync(
      join(process.env.FAULT_HISTORY_DIR, `${name.replace(/\W+/g, '-')}.json`),
      JSON.stringify(r.history),
    );
  }
  expect(r.violations, describeViolations(r.violations, r.history)).toEqual([]);
  expect(r.watch.unhandled).toEqual([]);
  for (const fault of r.faults) {
    const growth = r.watch.growthDuring(fault);
    expect(growth.rssMb).toBeLessThan(MAX_GROWTH_MB);
    expect(growth.heapMb).toBeLessThan(MAX_GROWTH_MB);
  }
  // The run did exercise what it claims to: faults answered 503, sessions rotated and died.
  expect(r.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
  expect(r.stats.byStatus['200'] ?? 0).toBeGreaterThan(50);
}

const describeRedis = await describeWith('redis-server');

describeRedis('faults: a private Redis with AOF (appendfsync always)', () => {
  let redis: RedisInstance;
  let proxy: FaultProxy;
  beforeAll(async () => {
    redis = await redisInstance({ persistent: true });
    await redis.start();
    proxy = await startProxy({ host: '127.0.0.1', port: redis.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await redis?.dispose();
  });

  it('killed with SIGKILL mid-traffic and restarted: 503s only, sessions and revocations survive (jwt)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: redis.url },
      strategy: 'jwt',
      traffic: { mix: STEADY_MIX, steadyUsers: 2 },
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        await recorder.window(
          'sigkill',
          () => redis.kill(),
          2_000,
          () => redis.start(),
        );
      },
    });
    expectClean('redis AOF sigkill (jwt)', r);
    expect(r.stats.survived).toBeGreaterThan(0);
  });

  it('behind a proxy that black-holes it for 3 s: 503s within the bound, then recovery (database)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
      strategy: 'database',
      traffic: { mix: STEADY_MIX, steadyUsers: 2 },
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        await recorder.window(
          'blackhole',
          () => proxy.setMode({ kind: 'blackhole' }),
          3_000,
          () => proxy.setMode({ kind: 'pass' }),
        );
      },
    });
    expectClean('redis blackhole (database)', r);
    expect(r.stats.survived).toBeGreaterThan(0);
  });

  it('behind a proxy that delays every byte by 1.5 s for 3 s: late answers become 503s, nothing forks (hybrid)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
      strategy: 'hybrid',
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        await recorder.window(
          'delay-1500ms',
          () => proxy.setMode({ kind: 'delay', ms: 1_500 }),
          3_000,
          () => proxy.setMode({ kind: 'pass' }),
        );
      },
    });
    expectClean('redis delay 1.5 s (hybrid)', r);
  });

  it('every connection reset (RST) three times under traffic: 503s at most, nothing lost (jwt)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
      strategy: 'jwt',
      traffic: { mix: STEADY_MIX, steadyUsers: 2 },
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        for (let round = 0; round < 3; round++) {
          await recorder.window(
            `reset-${round}`,
            () => proxy.resetAll(),
            0,
            () => {},
          );
          await new Promise((resolve) => setTimeout(resolve, 600));
        }
      },
    });
    console.log(summary('redis connections reset x3 (jwt)', r));
    expect(r.violations, describeViolations(r.violations, r.history)).toEqual([]);
    expect(r.watch.unhandled).toEqual([]);
    expect(r.stats.survived).toBeGreaterThan(0);
  });

  it('out of memory (maxmemory 1 byte, noeviction) for 3 s: writes answer 503, reads still work (database)', async () => {
    const admin = new Redis(redis.url);
    try {
      const r = await runScenario({
        env: { SESS_STORE: 'redis', REDIS_URL: redis.url },
        strategy: 'database',
        traffic: { mix: STEADY_MIX, steadyUsers: 2 },
        check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
        inject: async ({ recorder }) => {
          await recorder.window(
            'oom',
            async () => {
              await admin.config('SET', 'maxmemory-policy', 'noeviction');
              await admin.config('SET', 'maxmemory', '1');
            },
            3_000,
            () => admin.config('SET', 'maxmemory', '0').then(() => {}),
          );
        },
      });
      expectClean('redis out of memory (database)', r);
      const [oom] = r.faults;
      const during = r.history.filter((e) => e.start > oom!.start && e.end < oom!.end);
      // Validation only reads: sessions kept working while every write was refused.
      expect(during.some((e) => e.op === 'me' && e.status === 200)).toBe(true);
      const writes = ['login', 'refresh', 'logout-all'];
      expect(during.some((e) => writes.includes(e.op) && e.status === 503)).toBe(true);
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => {});
      admin.disconnect();
    }
  });
});

describeRedis('faults: a private Redis without persistence', () => {
  let redis: RedisInstance;
  beforeAll(async () => {
    redis = await redisInstance({ persistent: false });
    await redis.start();
  });
  afterAll(() => redis?.dispose());

  it('shut down and restarted empty: every earlier session is gone (401, never 2xx), new logins work (database)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: redis.url },
      strategy: 'database',
      check: { maxLatencyMs: MAX_LATENCY_MS },
      inject: async ({ recorder, traffic }) => {
        await recorder.window(
          'restart-empty',
          () => redis.shutdown(),
          2_000,
          () => redis.start(),
          {
            dataLoss: true,
          },
        );
        await traffic.probe();
      },
    });
    expectClean('redis no persistence restart (database)', r);
    const fault = r.faults[0]!;
    // Sessions from before the restart were presented after it and refused with a 401.
    const refusedAfter = r.history.filter(
      (e) => e.start > fault.end && e.status === 401 && e.code !== undefined,
    );
    expect(refusedAfter.length).toBeGreaterThan(0);
    expect(r.history.some((e) => e.start > fault.end && e.op === 'login' && e.status === 200)).toBe(
      true,
    );
  });

  it('restarted empty under the jwt strategy, then revokeEverything() as the runbook says: nothing revoked comes back', async () => {
    // Without persistence the deny-list and watermarks are gone too: a revoked access token would
    // verify again until it expires. docs/stores/redis.md: after a restart that lost writes, call
    // revokeEverything(). With it, every session from before the restart is refused.
    const r = await runScenario({
      env: { SESS_STORE: 'redis', REDIS_URL: redis.url },
      strategy: 'jwt',
      check: { maxLatencyMs: MAX_LATENCY_MS },
      inject: async ({ recorder, target, traffic }) => {
        await recorder.window(
          'restart-empty-then-revoke-everything',
          () => redis.shutdown(),
          2_000,
          async () => {
            await redis.start();
            // The client reconnects within 500 ms; until then revokeEverything answers a StoreError.
            for (let attempt = 0; ; attempt++) {
              try {
                await target.sess.revokeEverything();
                break;
              } catch (error) {
                if (attempt > 50) throw error;
                await new Promise((resolve) => setTimeout(resolve, 100));
              }
            }
          },
          { dataLoss: true },
        );
        await traffic.probe();
      },
    });
    expectClean('redis no persistence restart + revokeEverything (jwt)', r);
    expect(r.replayed).toBeGreaterThan(0);
  });
});
