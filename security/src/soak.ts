import { type CheckResult, describeViolations } from './faults/checker.ts';
import { latency, sleep } from './faults/measure.ts';
import { runScenario } from './faults/scenario.ts';
import { DEFAULT_MIX } from './faults/traffic.ts';
import type { Strategy } from './target.ts';

/** One demo to soak: a store and a strategy. */
export interface SoakTarget {
  readonly store: 'redis' | 'postgres' | 'sqlite' | 'memory';
  readonly strategy: Strategy;
}

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Seconds of traffic per target. @default 60 */
  readonly seconds?: number;
  /** @default redis with the jwt strategy, then postgres with the database strategy */
  readonly targets?: readonly SoakTarget[];
  /** Virtual users. @default 8 */
  readonly users?: number;
  /** Tabs per user. @default 3 */
  readonly tabs?: number;
  /** Extra demo environment (REDIS_URL, DATABASE_URL). @default process.env's */
  readonly env?: Record<string, string>;
  /** Where the report lines go. @default console.log */
  readonly log?: (line: string) => void;
}

/** The figures of one target's soak. */
export interface SoakReport extends CheckResult {
  readonly target: SoakTarget;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latency: ReturnType<typeof latency>;
  /** Latency per operation (a login is dominated by its scrypt hash: ~50 ms of CPU). */
  readonly latencyByOp: Readonly<Record<string, ReturnType<typeof latency>>>;
  readonly memory: {
    readonly rssBeforeMb: number;
    readonly rssAfterMb: number;
    readonly heapBeforeMb: number;
    readonly heapAfterMb: number;
  };
  /** Any 5xx (there are no fault windows in a soak) or any violation. */
  readonly ok: boolean;
  /** Unhandled rejections or exceptions seen during the run. */
  readonly unhandled: number;
  readonly replayed: number;
}

export const DEFAULT_SOAK_TARGETS: readonly SoakTarget[] = [
  { store: 'redis', strategy: 'jwt' },
  { store: 'postgres', strategy: 'database' },
];

const mb = (bytes: number) => bytes / 2 ** 20;

/**
 * Mixed traffic (the issue's mix: 70% me, 15% refresh from several tabs at once, 5% login, 5%
 * logout, 2% logout-all, 3% session list) against the demo on each target in turn, then the
 * history checker on what was recorded. No faults: every 5xx is a failure.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const seconds = options.seconds ?? 60;
  const reports: SoakReport[] = [];
  for (const target of options.targets ?? DEFAULT_SOAK_TARGETS) {
    let elapsed = 0;
    const result = await runScenario({
      env: { ...options.env, SESS_STORE: target.store },
      strategy: target.strategy,
      users: options.users ?? 8,
      tabs: options.tabs ?? 3,
      warmupMs: 0,
      cooldownMs: 0,
      traffic: { mix: DEFAULT_MIX },
      check: { maxLatencyMs: 5_000 },
      inject: async () => {
        const started = performance.now();
        await sleep(seconds * 1_000);
        elapsed = (performance.now() - started) / 1_000;
      },
    });
    const { history, watch, replayed } = result;
    const unhandled = watch.unhandled.length;
    const [before, after] = [watch.samples[0]!, watch.samples.at(-1)!];
    const fiveXx = history.filter((e) => e.status >= 500).length;
    const report: SoakReport = {
      violations: result.violations,
      stats: result.stats,
      target,
      seconds: elapsed,
      requestsPerSecond: history.length / Math.max(elapsed, 0.001),
      latency: latency(history),
      latencyByOp: Object.fromEntries(
        [...new Set(history.map((e) => e.op))].map((op) => [
          op,
          latency(history.filter((e) => e.op === op)),
        ]),
      ),
      memory: {
        rssBeforeMb: mb(before.rss),
        rssAfterMb: mb(after.rss),
        heapBeforeMb: mb(before.heapUsed),
        heapAfterMb: mb(after.heapUsed),
      },
      ok: result.violations.length === 0 && fiveXx === 0 && unhandled === 0,
      unhandled,
      replayed,
    };
    reports.push(report);
    const l = report.latency;
    const m = report.memory;
    log(
      `soak ${target.store}/${target.strategy}: ${report.stats.requests} requests in ${elapsed.toFixed(1)} s ` +
        `= ${report.requestsPerSecond.toFixed(0)} req/s; latency p50 ${l.p50.toFixed(1)} ms, ` +
        `p95 ${l.p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms; ` +
        `statuses ${JSON.stringify(report.stats.byStatus)}; ` +
        `rss ${m.rssBeforeMb.toFixed(0)} -> ${m.rssAfterMb.toFixed(0)} MB, heap ${m.heapBeforeMb.toFixed(0)} -> ${m.heapAfterMb.toFixed(0)} MB; ` +
        `rotations ${report.stats.rotations}, sessions revoked ${report.stats.revokedFamilies}, ` +
        `dead credentials replayed ${replayed}; unhandled ${unhandled}; ` +
        `violations ${result.violations.length}; ${report.ok ? 'OK' : 'FAILED'}`,
    );
    const ops = ['me', 'refresh', 'login', 'logout', 'logout-all', 'sessions'];
    log(
      `  per operation (count, p50/p95/p99 ms): ${ops
        .filter((op) => report.latencyByOp[op])
        .map((op) => {
          const o = report.latencyByOp[op]!;
          const n = history.filter((e) => e.op === op).length;
          return `${op} ${n}, ${o.p50.toFixed(1)}/${o.p95.toFixed(1)}/${o.p99.toFixed(1)}`;
        })
        .join('; ')}`,
    );
    if (result.violations.length > 0) log(describeViolations(result.violations, history));
  }
  return reports;
}
