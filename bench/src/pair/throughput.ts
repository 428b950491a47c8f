// Throughput of one contender on one server process and on two sharing its store data, measured
// in alternation (one, two, one, two ...) under the same two-lane load.
import type { Contender } from '../http/contenders.ts';
import { verify } from '../http/load.ts';
import { type RunningServer, startServer } from '../http/servers.ts';
import type { BenchOptions } from '../options.ts';
import type { PairRow } from '../results.ts';
import type { Services } from '../services.ts';
import { paired, summarize } from '../stats.ts';
import type { Lanes, LanesResult } from './lanes.ts';

/** Two server processes of one contender on the same store data, credentials and keys. */
export interface Pair {
  readonly contender: Contender;
  /** The first process: it made the fixtures. */
  readonly a: RunningServer;
  /** The second: it serves A's credentials from A's store data. */
  readonly b: RunningServer;
  /** Where the two load lanes' credential sequences stand: every run continues them. */
  readonly sent: [number, number];
}

/**
 * Starts process A of `contender` (which makes the fixtures), then B on A's credentials, and
 * proves both: each accepts a sample of the credentials with their own user and refuses a missing
 * and a forged one; B's acceptance shows that the two share the store data and the keys.
 */
export async function startPair(
  contender: Contender,
  services: Services,
  profileDir: string | null,
): Promise<Pair> {
  const a = await startServer(contender, services, profileDir);
  let b: RunningServer | null = null;
  try {
    b = await startServer(contender, services, profileDir, { reuseFixtures: true });
    await verify(a);
    await verify(b);
    return { contender, a, b, sent: [0, 0] };
  } catch (error) {
    await Promise.all([a.stop(), b?.stop()]);
    throw error;
  }
}

/** Stops both processes of a pair. */
export const stopPair = (pair: Pair) => Promise.all([pair.a.stop(), pair.b.stop()]);

interface Arm {
  readonly pair: Pair;
  readonly processes: 1 | 2;
  readonly targets: readonly [RunningServer, RunningServer];
  readonly runs: LanesResult[];
}

/**
 * Each pair on one process (both lanes on A) and on two (a lane each), after a warm-up of both
 * processes, measured in rounds of every arm `options.runs` times; the rows give medians and two
 * over one.
 */
export async function benchThroughput(
  pairs: readonly Pair[],
  lanes: Lanes,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<PairRow[]> {
  const arms: Arm[] = pairs.flatMap((pair) => [
    { pair, processes: 1, targets: [pair.a, pair.a], runs: [] },
    { pair, processes: 2, targets: [pair.a, pair.b], runs: [] },
  ]);
  const once = (arm: Arm, duration: number) =>
    lanes.load(arm.targets, duration, options.connections, arm.pair.sent);
  // Warm-up: each pair's two-process arm, which loads both A and B.
  for (const arm of arms) if (arm.processes === 2) await once(arm, Math.min(1, options.duration));
  for (let run = 1; run <= options.runs; run++) {
    for (const arm of arms) {
      const result = await once(arm, options.duration);
      arm.runs.push(result);
      log(
        `  pair run ${run}: ${arm.pair.contender.id} on ${arm.processes} ${Math.round(result.reqPerSec)} req/s`,
      );
    }
  }
  return pairs.map((pair) => {
    const [one, two] = arms.filter((arm) => arm.pair === pair) as [Arm, Arm];
    const rates = (arm: Arm) => summarize(arm.runs.map((r) => r.reqPerSec));
    const p99 = (arm: Arm) => summarize(arm.runs.map((r) => r.p99));
    const [oneRate, twoRate] = [rates(one), rates(two)];
    return {
      id: pair.contender.id,
      label: pair.contender.label,
      mix: pair.contender.mix,
      one: oneRate,
      two: twoRate,
      p99One: p99(one),
      p99Two: p99(two),
      ...paired(twoRate.values, oneRate.values),
    };
  });
}
