// Revocation propagation between two processes: sessions are made through A; then, one at a time,
// each is shown to pass on B and revoked through A, and B is asked again until it refuses it.
import assert from 'node:assert/strict';
import type { ServerStats } from '../http/server.ts';
import type { RunningServer } from '../http/servers.ts';
import type { PropagationRow } from '../results.ts';
import type { Lanes } from './lanes.ts';
import type { Pair } from './throughput.ts';

/** Pause between samples: one revocation at a time, as logouts come, not a flood. */
const PACE_MS = 5;
/** Time before the first sample, for the load to reach its pace. */
const RAMP_MS = 500;
/** A revocation B still honours after this long has not propagated: the run fails. */
const GIVE_UP_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** B's answer to a request with `token`, and how long it took (ms). */
async function ask(server: RunningServer, token: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** A session made through A, ready to be revoked. */
interface Probe {
  readonly sessionId: string;
  readonly token: string;
}

/** `count` sessions made through A (before the load, so that it never waits for them). */
async function probes(a: RunningServer, count: number, first: number): Promise<Probe[]> {
  const made: Probe[] = [];
  for (let i = first; i < first + count; i++) {
    const reply = await a.control({ create: `probe-${i}` });
    assert.ok(
      'created' in reply && reply.created.accessToken,
      `probe ${i}: ${JSON.stringify(reply)}`,
    );
    made.push({ sessionId: reply.created.sessionId, token: reply.created.accessToken });
  }
  return made;
}

/** One sample: B's accepting round trip, then ms from A's acknowledgement of the revoke to B's first 401. */
async function sample({ a, b }: Pair, { sessionId, token }: Probe) {
  // Correct before fast: B accepts the token first (and now holds it in its verified-token cache).
  const accepted = await ask(b, token);
  assert.equal(accepted.status, 200, 'B must accept a live session');
  const revoked = await a.control({ revoke: sessionId });
  const acked = performance.now();
  assert.deepEqual(revoked, { revoked: true }, 'the revoke through A');
  for (let polls = 1; ; polls++) {
    const { status } = await ask(b, token);
    const ms = performance.now() - acked;
    if (status === 401) return { ms, polls, roundTrip: accepted.ms };
    assert.equal(status, 200, `B answered ${status}`);
    assert.ok(ms < GIVE_UP_MS, `B still accepts a session revoked ${Math.round(ms)} ms ago`);
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
const rank = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;

function storeCallsPerRequest(before: ServerStats, after: ServerStats) {
  if (!before.storeCalls || !after.storeCalls) return null;
  const requests = after.requests - before.requests;
  const calls = Object.entries(after.storeCalls).map(
    ([op, n]) => [op, (n - (before.storeCalls?.[op] ?? 0)) / requests] as const,
  );
  return Object.fromEntries(calls.filter(([, n]) => n > 0));
}

/**
 * A sample per probe while `going()` holds, then their percentiles; B's counters are read
 * around them for its store calls per request.
 */
async function samples(
  pair: Pair,
  list: readonly Probe[],
  going: () => boolean,
): Promise<Omit<PropagationRow, 'underLoad' | 'reqPerSec'>> {
  const before = await pair.b.stats();
  const ms: number[] = [];
  const roundTrips: number[] = [];
  let firstPoll = 0;
  for (const probe of list) {
    if (!going()) break;
    const taken = await sample(pair, probe);
    ms.push(taken.ms);
    roundTrips.push(taken.roundTrip);
    if (taken.polls === 1) firstPoll++;
    await sleep(PACE_MS);
  }
  assert.ok(ms.length > 0, 'propagation: no sample was taken');
  const after = await pair.b.stats();
  ms.sort((x, y) => x - y);
  roundTrips.sort((x, y) => x - y);
  return {
    samples: ms.length,
    p50: rank(ms, 0.5),
    p99: rank(ms, 0.99),
    max: ms.at(-1)!,
    firstPoll,
    roundTripP50: rank(roundTrips, 0.5),
    storeCallsPerRequest: storeCallsPerRequest(before, after),
  };
}

/**
 * Propagation of `count` revocations from A to B with both serving the two-lane load for
 * `seconds` (samples stop when the load does), then of `count` more with no load, as a reference.
 */
export async function benchPropagation(
  pair: Pair,
  lanes: Lanes,
  count: number,
  seconds: number,
  connections: number,
  log: (line: string) => void,
): Promise<PropagationRow[]> {
  const loadedProbes = await probes(pair.a, count, 0);
  const idleProbes = await probes(pair.a, count, count);
  let loading = true;
  const load = lanes.load([pair.a, pair.b], seconds, connections, pair.sent).finally(() => {
    loading = false;
  });
  let loaded: Awaited<ReturnType<typeof samples>>;
  try {
    await sleep(RAMP_MS);
    loaded = await samples(pair, loadedProbes, () => loading);
  } finally {
    await load.catch(() => {}); // a failed lane is reported below, once the sampling has stopped
  }
  const underLoad = { underLoad: true, ...loaded, reqPerSec: (await load).reqPerSec };
  const idle = { underLoad: false, ...(await samples(pair, idleProbes, () => true)) };
  for (const row of [underLoad, idle]) {
    const when = row.underLoad ? 'under load' : 'no load';
    log(
      `  pair revocation ${when}: ${row.samples} samples, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, max ${row.max.toFixed(1)} ms`,
    );
  }
  return [underLoad, { ...idle, reqPerSec: null }];
}
