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
 * spreads over all cases instead of favouring whichever ran first.
 */
export async function alternate(
  cases: readonly MicroCase[],
  runs: number,
  cpuMs: number,
  log: (line: string) => void,
): Promise<MicroRuns> {
  const results: MicroRuns = new Map(cases.map((c) => [c.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const c of cases) {
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

/** A summary per case name. */
export function summarizeRuns(runs: MicroRuns): Map<string, Summary> {
  return new Map([...runs].map(([name, values]) => [name, summarize(values)]));
}
