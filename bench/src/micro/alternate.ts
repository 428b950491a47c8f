import { measure } from 'mitata';
import { type Summary, summarize } from '../stats.ts';

/** One function measured with mitata. */
export interface MicroCase {
  readonly name: string;
  /** One operation; `concurrency` of them are started together per sample. */
  readonly run: () => unknown;
  /** Operations in flight at once. @default 1 */
  readonly concurrency?: number;
  /** Bounds the samples of a run (for operations that consume a prepared pool). */
  readonly maxSamples?: number;
  /**
   * One operation (or `concurrency` of them) per sample, never a batch of thousands: for store
   * operations, whose batches would drain a pool or take minutes. @default false
   */
  readonly unbatched?: boolean;
  /** Runs untimed before each measured run, e.g. to refill a pool. */
  readonly prepare?: () => Promise<void>;
}

/** Operations per second of each case, one value per run. */
export type MicroRuns = Map<string, number[]>;

/**
 * Measures every case `runs` times, alternating (A B C A B C ...) so that drift on the machine
 * spreads over all cases instead of favouring whichever ran first. The cases of each of `pairs`
 * (by name; a target compares them) are measured together instead, where the first of them comes:
 * see {@link interleaved}.
 */
export async function alternate(
  cases: readonly MicroCase[],
  runs: number,
  cpuMs: number,
  log: (line: string) => void,
  pairs: readonly (readonly [string, string])[] = [],
): Promise<MicroRuns> {
  const results: MicroRuns = new Map(cases.map((c) => [c.name, []]));
  const named = new Map(cases.map((c) => [c.name, c]));
  for (let run = 0; run < runs; run++) {
    for (const c of cases) {
      const pair = pairs.find((p) => p.includes(c.name));
      if (pair !== undefined) {
        if (pair[0] !== c.name) continue;
        const together = await interleaved(named.get(pair[0])!, named.get(pair[1])!, cpuMs);
        together.forEach((opsPerSec, k) => {
          results.get(pair[k]!)!.push(opsPerSec);
        });
        log(
          `  run ${run + 1}: ${pair[0]} ${Math.round(together[0])}/s, ${pair[1]} ${Math.round(together[1])}/s (interleaved)`,
        );
        continue;
      }
      await c.prepare?.();
      const concurrency = c.concurrency ?? 1;
      const stats = await measure(c.run, {
        min_cpu_time: cpuMs * 1e6,
        concurrency,
        ...(c.maxSamples === undefined ? {} : { max_samples: c.maxSamples }),
        ...(c.unbatched ? { batch_threshold: 0 } : {}),
      });
      const opsPerSec = (concurrency * 1e9) / stats.avg;
      results.get(c.name)!.push(opsPerSec);
      log(`  run ${run + 1}: ${c.name} ${Math.round(opsPerSec)}/s`);
    }
  }
  return results;
}

/** About this long per batch of one case, in milliseconds, when two are interleaved. */
const BATCH_MS = 1;

/** One operation, awaited only if it returns a promise (as mitata does). */
async function once(c: MicroCase): Promise<void> {
  const result = c.run();
  if (result instanceof Promise) await result;
}

/**
 * Operations per second of `a` and `b` measured at the same moments: batches of about a
 * millisecond of each in turn until each has run `cpuMs`, after a full garbage collection and an
 * untimed 20 ms of each that sizes its batches. Measured one after the other, two cases half a
 * second apart meet different speeds of a shared machine; in batches a millisecond apart, the
 * same. (Synchronous cases only, or asynchronous ones that settle at once: no `concurrency`.)
 */
export async function interleaved(
  a: MicroCase,
  b: MicroCase,
  cpuMs: number,
): Promise<[number, number]> {
  (globalThis as { gc?: () => void }).gc?.();
  const sides = [a, b].map((c) => ({ c, batch: 1, ops: 0, ms: 0 }));
  for (const side of sides) {
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < 20 * BATCH_MS) {
      await once(side.c);
      n++;
    }
    side.batch = Math.max(1, Math.round(n / 20));
  }
  while (sides.some((side) => side.ms < cpuMs)) {
    for (const side of sides) {
      const started = performance.now();
      for (let i = 0; i < side.batch; i++) await once(side.c);
      side.ms += performance.now() - started;
      side.ops += side.batch;
    }
  }
  const [x, y] = sides.map((side) => (side.ops * 1000) / side.ms) as [number, number];
  return [x, y];
}

/** A summary per case name. */
export function summarizeRuns(runs: MicroRuns): Map<string, Summary> {
  return new Map([...runs].map(([name, values]) => [name, summarize(values)]));
}
