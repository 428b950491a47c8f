import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeViolations } from '../../src/faults/checker.ts';
import { sleep } from '../../src/faults/measure.ts';
import { type FaultProxy, startProxy } from '../../src/faults/proxy.ts';
import { runScenario, type ScenarioResult, summary } from '../../src/faults/scenario.ts';
import { describeWith } from '../../src/faults/services.ts';
import { STEADY_MIX } from '../../src/faults/traffic.ts';
import { DemoClient } from '../../src/target.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The pool's own bounds: connectionTimeoutMillis 2 s, statement_timeout 2 s, and query_timeout
// 3 s for a server that stopped answering (docs/stores/postgres.md#failures): a black-holed
// Postgres costs a request 3 s, where Redis' store-wide `timeout` gives up after 2 s. The rest is
// the request's own work (a login's scrypt) on a busy 2-core machine.
const MAX_LATENCY_MS = 4_000;
const MAX_GROWTH_MB = 64;

function expectClean(name: string, r: ScenarioResult): void {
  console.log(summary(name, r));
  if (process.env.FAULT_HISTORY_DIR) {
    const file = `${name.replace(/\W+/g, '-')}.json`;
    writeFileSync(join(process.env.FAULT_HISTORY_DIR, file), JSON.stringify(r.history));
  }
  expect(r.violations, describeViolations(r.violations, r.history)).toEqual([]);
  expect(r.watch.unhandled).toEqual([]);
  for (const fault of r.faults) {
    const growth = r.watch.growthDuring(fault);
    expect(growth.rssMb).toBeLessThan(MAX_GROWTH_MB);
    expect(growth.heapMb).toBeLessThan(MAX_GROWTH_MB);
  }
  expect(r.stats.byStatus['200'] ?? 0).toBeGreaterThan(50);
}

/** `DATABASE_URL` with its host and port replaced, and an application_name to find its backends. */
function urlVia(port: number | null, applicationName: string): string {
  const url = new URL(DATABASE_URL);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error('fault tests only run against a loopback Postgres');
  }
  if (port !== null) url.port = String(port);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

const describePostgres = await describeWith('postgres');

describePostgres('faults: Postgres', () => {
  let proxy: FaultProxy;
  let admin: pg.Client;
  beforeAll(async () => {
    const { port } = new URL(DATABASE_URL);
    proxy = await startProxy({ host: '127.0.0.1', port: Number(port || 5432) });
    admin = new pg.Client(DATABASE_URL);
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await proxy?.close();
  });

  it('backends of the demo terminated three times under traffic: 503s only, nothing lost (jwt)', async () => {
    const app = `sessfault_${randomBytes(4).toString('hex')}`;
    let terminated = 0;
    const r = await runScenario({
      env: { SESS_STORE: 'postgres', DATABASE_URL: urlVia(null, app) },
      strategy: 'jwt',
      traffic: { mix: STEADY_MIX, steadyUsers: 2 },
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        for (let round = 0; round < 3; round++) {
          await recorder.window(
            `terminate-${round}`,
            async () => {
              const { rows } = await admin.query(
                `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
                [app],
              );
              terminated += rows.filter((row) => row.done === true).length;
            },
            0,
            () => {},
          );
          await sleep(700);
        }
      },
    });
    expectClean('postgres terminate backends (jwt)', r);
    expect(terminated).toBeGreaterThan(3);
    expect(r.stats.survived).toBeGreaterThan(0);
  });

  it('behind a proxy that black-holes it for 3 s: 503s within the bound, then recovery (database)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'postgres', DATABASE_URL: urlVia(proxy.port, 'sessfault_proxy') },
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
    expectClean('postgres blackhole (database)', r);
    expect(r.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
    expect(r.stats.survived).toBeGreaterThan(0);
  });

  it('every connection reset into a black hole for 4 s, LISTEN included: 503s within the bound (jwt)', async () => {
    // Logouts (deny + NOTIFY, which first waits for the LISTEN connection) sent while that
    // connection reconnects into the black hole.
    const logouts: Array<{ status: number; ms: number }> = [];
    const r = await runScenario({
      env: { SESS_STORE: 'postgres', DATABASE_URL: urlVia(proxy.port, 'sessfault_reset') },
      strategy: 'jwt',
      traffic: { mix: STEADY_MIX, steadyUsers: 2 },
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder, target }) => {
        const browsers = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const browser = new DemoClient(target.url, 'sess-fault-logout/1');
            expect((await browser.login()).status).toBe(200);
            return browser;
          }),
        );
        await recorder.window(
          'reset-into-blackhole',
          async () => {
            proxy.setMode({ kind: 'blackhole' });
            proxy.resetAll();
            await sleep(300);
            await Promise.all(
              browsers.map(async (browser) => {
                const started = performance.now();
                const { status } = await browser.request('POST', '/auth/logout', {});
                logouts.push({ status, ms: performance.now() - started });
              }),
            );
          },
          1_000,
          () => proxy.setMode({ kind: 'pass' }),
        );
      },
    });
    console.log(
      `[faults] logouts during the reset: ${JSON.stringify(logouts.map((l) => [l.status, Math.round(l.ms)]))}`,
    );
    expectClean('postgres reset into blackhole (jwt)', r);
    expect(logouts.map((l) => l.status)).toEqual([503, 503, 503, 503]);
    for (const { ms } of logouts) expect(ms).toBeLessThan(MAX_LATENCY_MS);
  });

  it('behind a proxy that delays every byte by 2.5 s for 3 s, then resets every connection (hybrid)', async () => {
    const r = await runScenario({
      env: { SESS_STORE: 'postgres', DATABASE_URL: urlVia(proxy.port, 'sessfault_delay') },
      strategy: 'hybrid',
      check: { maxLatencyMs: MAX_LATENCY_MS, durable: true },
      inject: async ({ recorder }) => {
        await recorder.window(
          'delay-2500ms-then-reset',
          () => proxy.setMode({ kind: 'delay', ms: 2_500 }),
          3_000,
          () => {
            proxy.resetAll();
            proxy.setMode({ kind: 'pass' });
          },
        );
      },
    });
    expectClean('postgres delay then reset (hybrid)', r);
    expect(r.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
  });
});
