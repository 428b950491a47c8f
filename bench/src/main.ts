// `pnpm bench`: every suite in one go, then bench/results/latest.{md,json} (quick.* with --quick).
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { placement } from './http/placement.ts';
import { benchHttp } from './http/suite.ts';
import { describeMachine } from './machine.ts';
import { benchOps } from './micro/ops.ts';
import { benchTokens } from './micro/tokens.ts';
import { benchWrites } from './micro/writes.ts';
import { parseOptions, type Suite } from './options.ts';
import { benchPair } from './pair/suite.ts';
import { writeResults } from './report.ts';
import type { BenchResults, HttpRow, MicroRow, OpsRow, PairResults, WritesRow } from './results.ts';
import { cleanUp, newServices } from './services.ts';
import { evaluateTargets } from './targets.ts';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const results = new URL('../results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  const profileDir = options.profile ? fileURLToPath(new URL('profiles/', results)) : null;
  const services = newServices(options.redisUrl, options.databaseUrl);
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const where = options.sharedCpus ? null : placement();
  log(`sess bench ${options.quick ? '(quick) ' : ''}run ${services.runId} on ${machine.cpu}`);

  let micro: MicroRow[] = [];
  let ops: OpsRow[] = [];
  let writes: WritesRow[] = [];
  let http: HttpRow[] = [];
  let pair: PairResults | null = null;
  // Data of this run goes even when a suite fails; a second Ctrl-C still kills at once.
  process.once('SIGINT', () => {
    void cleanUp(services).finally(() => process.exit(130));
  });
  const seconds: Partial<Record<Suite, number>> = {};
  const timed = async <T>(suite: Suite, title: string, run: () => Promise<T>, none: T) => {
    if (!options.suites.includes(suite)) return none;
    log(`${suite}: ${title}`);
    const started = performance.now();
    const result = await run();
    seconds[suite] = Math.round((performance.now() - started) / 1000);
    log(`${suite}: ${seconds[suite]} s`);
    return result;
  };
  try {
    micro = await timed(
      'micro',
      'access-token and credential validation',
      () => benchTokens(options.runs, options.microMs, log),
      [],
    );
    ops = await timed(
      'ops',
      'create, refresh, revoke per store',
      () => benchOps(services, options.runs, options.microMs, options.quick ? 512 : 4096, log),
      [],
    );
    writes = await timed(
      'writes',
      'store calls below the touch threshold',
      () => benchWrites(services, options.quick ? 200 : 2000),
      [],
    );
    http = await timed(
      'http',
      'frameworks, sess and peers, under each traffic mix',
      () => benchHttp(options, services, profileDir, where, log),
      [],
    );
    pair = await timed(
      'pair',
      'two app processes on one Redis: throughput, revocation propagation',
      () => benchPair(options, services, profileDir, log),
      null,
    );
  } finally {
    const removed = await cleanUp(services);
    log(`cleaned up ${removed.redisKeys} Redis keys and ${removed.tables} tables`);
  }

  const { redisUrl: _redis, databaseUrl: _database, ...shown } = options;
  const report: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    options: shown,
    machine,
    loadAtEnd: Number(loadavg()[0]!.toFixed(2)),
    seconds,
    micro,
    ops,
    writes,
    http,
    placement: options.suites.includes('http') ? where : null,
    pair,
    targets: evaluateTargets(micro, ops, writes, http),
  };
  const base = options.out
    ? pathToFileURL(resolve(process.env.INIT_CWD ?? process.cwd(), options.out))
    : new URL(options.quick ? 'quick' : 'latest', results);
  writeResults(report, base);
  for (const t of report.targets) {
    const verdict = t.pass === null ? 'not run' : t.pass ? 'PASS' : 'MISS';
    log(`${verdict.padEnd(7)} ${t.name}: ${t.measured} (goal ${t.goal})`);
  }
  log(`results: ${fileURLToPath(base)}.md`);
}

main().then(
  () => process.exit(0), // clients of finished suites may hold sockets a little longer
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
