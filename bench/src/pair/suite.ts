// The pair suite: two app processes on one Redis. Throughput of two processes against one, and
// how fast a revocation made through one process is honoured by the other, under load.
import { DEFAULTS } from '../fixtures.ts';
import { contendersOf } from '../http/contenders.ts';
import type { BenchOptions } from '../options.ts';
import type { PairResults } from '../results.ts';
import type { Services } from '../services.ts';
import { type Lanes, startLanes } from './lanes.ts';
import { benchPropagation } from './propagation.ts';
import { benchThroughput, type Pair, startPair, stopPair } from './throughput.ts';

// The jwt strategy (its revocations in Redis) and the database strategy on Redis.
const PAIR_KINDS = ['sess-jwt', 'sess-db-redis'] as const;

/**
 * Express, 10,000-user mix: each contender's two processes start (A makes the fixtures, B reuses
 * them) and are proven, then measured on one process and on two; then revocations propagate
 * from A to B of the jwt pair, under load and without.
 */
export async function benchPair(
  options: BenchOptions,
  services: Services,
  profileDir: string | null,
  log: (line: string) => void,
): Promise<PairResults> {
  const contenders = contendersOf('express', ['users'], [...PAIR_KINDS]).filter((c) =>
    (PAIR_KINDS as readonly string[]).includes(c.kind),
  );
  const pairs: Pair[] = [];
  let lanes: Lanes | null = null;
  try {
    const started = performance.now();
    // One pair after the other: each A makes 10,000 sessions while its B waits for them.
    for (const contender of contenders)
      pairs.push(await startPair(contender, services, profileDir));
    log(
      `  pair: ${pairs.length * 2} servers ready in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    lanes = await startLanes();
    const rows = await benchThroughput(pairs, lanes, options, log);
    const jwt = pairs.find((pair) => pair.contender.kind === 'sess-jwt')!;
    const propagation = await benchPropagation(
      jwt,
      lanes,
      options.quick ? 50 : 200,
      options.quick ? 3 : 10,
      options.connections,
      log,
    );
    return { rows, propagation, stalenessMs: DEFAULTS.revocation.stalenessMs };
  } finally {
    lanes?.close();
    await Promise.all(pairs.map(stopPair));
  }
}
