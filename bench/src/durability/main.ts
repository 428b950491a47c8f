// `pnpm --filter @sess/bench bench:durability`: what redisStore's `durability` option costs.
// Starts its own master and replica (redis-server on free loopback ports, no persistence), then
// measures refresh and revoke through a session manager (jwt strategy) with durability off and
// with `{ replicas: 1, timeout: '50ms' }`, alternating the two, at 1 and 64 calls in flight.
// Prints a table and writes bench/results/durability.md. DURABILITY_BENCH_MS sets each sample's
// length (default 2000), DURABILITY_BENCH_RUNS the samples per case (default 3; the median counts).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionManager } from '@sess/core';
import { redisStore } from '@sess/store-redis';
import { Redis } from 'ioredis';
import { benchManager } from '../fixtures.ts';

const SAMPLE_MS = Number(process.env.DURABILITY_BENCH_MS ?? 2_000);
const RUNS = Number(process.env.DURABILITY_BENCH_RUNS ?? 3);
const CONCURRENCY = [1, 64] as const;
const DURABLE = { replicas: 1, timeout: '50ms' } as const;
const POOL = 6_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port === 6379 ? freePort() : port;
}

async function startRedis(dir: string, replicaOf?: number): Promise<[ChildProcess, number]> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const probe = new Redis({
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
  });
  probe.on('error', () => {});
  for (const deadline = Date.now() + 10_000; ; ) {
    const info = await probe.info('replication').catch(() => '');
    if (info && (!replicaOf || info.includes('master_link_status:up'))) break;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} not ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  probe.disconnect();
  return [child, port];
}

let failures = 0;

/** Calls per second of `op` with `width` in flight for SAMPLE_MS, or until `op` returns false. */
async function sample(width: number, op: () => Promise<boolean | undefined>): Promise<number> {
  let done = 0;
  const end = performance.now() + SAMPLE_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (performance.now() < end) {
        // A write the replicas did not acknowledge in time rejects (a 503): not counted.
        const ok = await op().catch(() => {
          failures++;
          return undefined;
        });
        if (ok === false) break;
        if (ok) done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

function cases(sess: SessionManager) {
  let user = 0;
  const nextUser = () => `bench-durability-${user++ % 1000}`;
  const credentials: string[] = [];
  return {
    refresh: async (width: number) => {
      while (credentials.length < width * 2)
        credentials.push((await sess.create(nextUser())).credential);
      return sample(width, async () => {
        const credential = credentials.shift()!;
        try {
          credentials.push((await sess.refresh(credential)).credential);
        } catch (error) {
          credentials.push((await sess.create(nextUser())).credential); // a 503: start over
          throw error;
        }
        return true;
      });
    },
    // Sessions made beforehand (untimed); the sample ends early if they run out.
    revoke: async (width: number) => {
      const doomed: string[] = [];
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (doomed.length < POOL) {
            const made = await sess.create(nextUser()).catch(() => null);
            if (made) doomed.push(made.session.id);
          }
        }),
      );
      return sample(width, async () => {
        const id = doomed.pop();
        if (id === undefined) return false;
        await sess.revoke(id);
        return true;
      });
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sess-bench-durability-'));
  const [master, masterPort] = await startRedis(dir);
  const [replica] = await startRedis(mkdtempSync(join(dir, 'r-')), masterPort);
  const url = `redis://127.0.0.1:${masterPort}`;
  const stores = {
    off: redisStore({ url, prefix: 'bench-d-off:' }),
    on: redisStore({ url, prefix: 'bench-d-on:', durability: DURABLE }),
  };
  const runners = {
    off: cases(benchManager(stores.off, 'jwt')),
    on: cases(benchManager(stores.on, 'jwt')),
  };
  const rows: string[] = [];
  try {
    for (const op of ['refresh', 'revoke'] as const) {
      for (const width of CONCURRENCY) {
        const seen = { off: [] as number[], on: [] as number[] };
        // Warm-up (untimed): both modes once, so neither pays for the JIT.
        for (const mode of ['off', 'on'] as const) await runners[mode][op](width);
        failures = 0;
        for (let run = 0; run < RUNS; run++) {
          for (const mode of ['off', 'on'] as const)
            seen[mode].push(await runners[mode][op](width));
        }
        const off = median(seen.off);
        const on = median(seen.on);
        const row = `| ${op} | ${width} | ${off.toFixed(0)} | ${on.toFixed(0)} | ${(on / off).toFixed(2)} | ${failures} |`;
        console.log(row);
        rows.push(row);
      }
    }
  } finally {
    await Promise.all([stores.off.close(), stores.on.close()]);
    master.kill('SIGKILL');
    replica.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  const table = [
    `# redisStore durability: throughput (${new Date().toISOString()})`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; Redis master + 1 replica on loopback,`,
    `jwt strategy; durability \`${JSON.stringify(DURABLE)}\`; median of ${RUNS} samples of ${SAMPLE_MS} ms.`,
    '',
    `Load average at the end: ${loadavg()[0]!.toFixed(1)} (other work on the machine skews the figures).`,
    '',
    '| operation | in flight | off (ops/s) | on (ops/s) | on / off | rejected (no ack in time) |',
    '| --- | --: | --: | --: | --: | --: |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(new URL('../../results/durability.md', import.meta.url), table);
  console.log(table);
}

await main();
