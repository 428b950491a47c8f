import { type Framework, type Strategy, startTarget, type Target } from '../target.ts';
import { type CheckOptions, type CheckResult, checkHistory } from './checker.ts';
import { type FaultWindow, type HistoryEvent, Recorder } from './history.ts';
import { latency, ProcessWatch, sleep } from './measure.ts';
import { Traffic, type TrafficOptions } from './traffic.ts';

/** What a fault scenario gets to inject its faults with. */
export interface ScenarioContext {
  readonly target: Target;
  readonly recorder: Recorder;
  readonly traffic: Traffic;
}

/** A demo under mixed traffic, some faults, then the history checker. */
export interface ScenarioOptions {
  /** Demo environment (SESS_STORE, REDIS_URL, DATABASE_URL, ...). */
  readonly env: Record<string, string>;
  readonly strategy: Strategy;
  /** @default 'express' */
  readonly framework?: Framework;
  /** @default 4 */
  readonly users?: number;
  /** @default 3 */
  readonly tabs?: number;
  /** Traffic before the first fault, in ms. @default 800 */
  readonly warmupMs?: number;
  /** Injects the faults (through `recorder.window`), while traffic runs. */
  readonly inject: (context: ScenarioContext) => Promise<void>;
  /** Traffic after the faults, in ms. @default 1_500 */
  readonly cooldownMs?: number;
  /** Passed to the checker (faults come from the recorder). */
  readonly check?: Omit<CheckOptions, 'faults'>;
  readonly traffic?: Partial<Pick<TrafficOptions, 'mix' | 'thinkMs' | 'steadyUsers'>>;
}

/** Everything a test asserts on. */
export interface ScenarioResult extends CheckResult {
  readonly history: readonly HistoryEvent[];
  readonly faults: readonly FaultWindow[];
  readonly watch: ProcessWatch;
  readonly logs: readonly string[];
  /** Latency of the requests that overlapped a fault window. */
  readonly faultLatency: ReturnType<typeof latency>;
  /** Dead credentials presented again at the end (all must be refused). */
  readonly replayed: number;
}

/** Runs one scenario; the demo is closed and the watch stopped whatever happens. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const watch = new ProcessWatch().start();
  const recorder = new Recorder();
  let target: Target | undefined;
  let traffic: Traffic | undefined;
  let replayed = 0;
  try {
    target = await startTarget(options.framework ?? 'express', options.strategy, {
      SESS_LOGINS_PER_MINUTE: '1000000',
      ...options.env,
    });
    traffic = new Traffic({
      urls: [target.url],
      strategy: options.strategy,
      recorder,
      users: options.users ?? 4,
      tabs: options.tabs ?? 3,
      ...options.traffic,
    });
    await traffic.start();
    await sleep(options.warmupMs ?? 800);
    await options.inject({ target, recorder, traffic });
    await sleep(options.cooldownMs ?? 1_500);
    await traffic.stop();
    await traffic.probe();
    replayed = await traffic.replayDead();
  } finally {
    await traffic?.stop();
    traffic?.close();
    await target?.close();
    watch.stop();
  }
  const faults = recorder.faults;
  const result = checkHistory(recorder.events, {
    watermarkSlackMs: options.strategy === 'database' ? 0 : 1_000,
    ...options.check,
    faults,
  });
  const overlapping = recorder.events.filter((e) =>
    faults.some((f) => e.end >= f.start && e.start <= f.end),
  );
  return {
    ...result,
    history: recorder.events,
    faults,
    watch,
    logs: target?.logs ?? [],
    faultLatency: latency(overlapping),
    replayed,
  };
}

/** One line of figures for the test log. */
export function summary(name: string, r: ScenarioResult): string {
  const recovery = Object.entries(r.stats.recoveryMs)
    .map(([fault, ms]) => `${fault} ${ms === null ? 'never' : `${ms.toFixed(0)} ms`}`)
    .join(', ');
  const growth = r.faults.map((f) => r.watch.growthDuring(f));
  const rss = Math.max(0, ...growth.map((g) => g.rssMb));
  const heap = Math.max(0, ...growth.map((g) => g.heapMb));
  const l = r.faultLatency;
  return (
    `[faults] ${name}: ${r.stats.requests} requests ${JSON.stringify(r.stats.byStatus)}; ` +
    `during faults p50/p99/max ${l.p50.toFixed(0)}/${l.p99.toFixed(0)}/${l.max.toFixed(0)} ms; ` +
    `recovery ${recovery}; growth rss ${rss.toFixed(1)} MB heap ${heap.toFixed(1)} MB; ` +
    `survived ${r.stats.survived}, unprobed ${r.stats.unprobed}, revoked ${r.stats.revokedFamilies}, ` +
    `rotations ${r.stats.rotations}, replayed ${r.replayed}; violations ${r.violations.length}`
  );
}
