import { pooled } from '../mixes.ts';
import type { BenchOptions, Framework } from '../options.ts';
import type { CacheReading, Comparison, HttpRow } from '../results.ts';
import type { Services } from '../services.ts';
import { paired, summarize } from '../stats.ts';
import {
  CONTENDER_KINDS,
  type Contender,
  type ContenderKind,
  contenderId,
  contendersOf,
  pairsOf,
} from './contenders.ts';
import {
  type LoadClient,
  type LoadResult,
  load,
  loadTogether,
  startLoadClient,
  verify,
  warmUp,
} from './load.ts';
import type { Placement } from './placement.ts';
import type { ServerStats } from './server.ts';
import { type RunningServer, startServer } from './servers.ts';

/** What one contender's timed runs added up to, from the server's counters. */
interface Totals {
  requests: number;
  tokenHits: number | null;
  tokenMisses: number | null;
  storeCalls: Record<string, number> | null;
}

const sub = (after: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([key, n]) => [key, n - (before[key] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

function add(into: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(more)) into[key] = (into[key] ?? 0) + n;
}

function accumulate(totals: Totals, before: ServerStats, after: ServerStats): void {
  totals.requests += after.requests - before.requests;
  if (after.tokenCache && before.tokenCache) {
    totals.tokenHits = (totals.tokenHits ?? 0) + after.tokenCache.hits - before.tokenCache.hits;
    totals.tokenMisses =
      (totals.tokenMisses ?? 0) + after.tokenCache.misses - before.tokenCache.misses;
  }
  if (after.storeCalls && before.storeCalls) {
    totals.storeCalls ??= {};
    add(totals.storeCalls, sub(after.storeCalls, before.storeCalls));
  }
}

const rate = (hits: number, lookups: number) => (lookups > 0 ? hits / lookups : null);

const JWT: readonly ContenderKind[] = ['sess-jwt', 'sess-jwt-otel'];

/** The cache a row's requests meet, read from the server's counters; null where there is none. */
function cacheOf(kind: ContenderKind, t: Totals): CacheReading | null {
  if (JWT.includes(kind)) {
    if (t.tokenHits === null || t.tokenMisses === null) {
      return { name: 'verified tokens', hits: 0, lookups: 0, hitRate: null };
    }
    const lookups = t.tokenHits + t.tokenMisses;
    return {
      name: 'verified tokens',
      hits: t.tokenHits,
      lookups,
      hitRate: rate(t.tokenHits, lookups),
    };
  }
  return null;
}

function perRequest(t: Totals): Record<string, number> | null {
  if (t.storeCalls === null) return null;
  return Object.fromEntries(
    Object.entries(t.storeCalls).map(([op, n]) => [op, Number((n / t.requests).toFixed(4))]),
  );
}

/**
 * What the runs of one pair together measured, per round: each side's requests per second of its
 * own CPU time, and each side's req/s.
 */
interface Together {
  readonly perCpu: [number[], number[]];
  readonly served: [number[], number[]];
}

/** The share of their one CPU both servers used in round `i` (each's req/s over its req per CPU-second). */
const busyIn = ({ perCpu, served }: Together, i: number) =>
  served[0][i]! / perCpu[0][i]! + served[1][i]! / perCpu[1][i]!;

const pairKey = (a: string, b: string) => `${a} ${b}`;

/**
 * One framework's contenders: every server starts (one process each, its fixtures made first) and
 * is verified, warmed up, then measured alone in alternation `httpRuns` times (A B C, C B A, A B
 * C ...), its counters read around each timed run; then each pair a target judges runs together
 * (both servers on one CPU) `httpRuns` times. A ratio is the median of its per-round ratios: of
 * the runs together for those pairs, of the runs alone for the others.
 */
async function benchFramework(
  framework: Framework,
  client: LoadClient,
  options: BenchOptions,
  services: Services,
  profileDir: string | null,
  where: Placement | null,
  log: (line: string) => void,
): Promise<HttpRow[]> {
  const contenders = contendersOf(framework, options.mixes, options.contenders);
  const servers: RunningServer[] = [];
  try {
    // Two at a time (the cores): each makes up to 20,000 sessions before it listens.
    const started = performance.now();
    await pooled(contenders.length, 2, async (i) => {
      servers[i] = await startServer(contenders[i]!, services, profileDir, { placement: where });
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    log(`  ${framework}: ${servers.length} servers and their fixtures ready in ${seconds} s`);
    // Where each server's credential sequence stands: every run continues it.
    const sent = new Map<string, number>(contenders.map((c) => [c.id, 0]));
    const loadOnce = async (server: RunningServer, duration: number) => {
      const id = server.contender.id;
      server.clock(true);
      const result = await load(client, server, duration, options.connections, sent.get(id)!);
      server.clock(false);
      sent.set(id, sent.get(id)! + result.sent);
      return result;
    };
    for (const server of servers) {
      server.clock(true);
      await verify(server);
      // Timed runs continue the warm-up's sequence: a rotation never replays what it just sent.
      sent.set(server.contender.id, (await warmUp(client, server, options.connections)).sent);
      server.clock(false);
    }
    const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.id, []]));
    const cpu = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
    const totals = new Map<string, Totals>(
      contenders.map((c) => [
        c.id,
        { requests: 0, tokenHits: null, tokenMisses: null, storeCalls: null },
      ]),
    );
    for (let run = 1; run <= options.httpRuns; run++) {
      // Every other round runs backwards: a steady drift then weighs on both runs of a pair alike.
      for (const server of run % 2 === 1 ? servers : servers.toReversed()) {
        const before = await server.stats();
        const result = await loadOnce(server, options.duration);
        const after = await server.stats();
        accumulate(totals.get(server.contender.id)!, before, after);
        cpu
          .get(server.contender.id)!
          .push((after.cpuMicros - before.cpuMicros) / (after.requests - before.requests));
        runs.get(server.contender.id)!.push(result);
        log(
          `  ${framework} run ${run}: ${server.contender.id} ${Math.round(result.reqPerSec)} req/s`,
        );
      }
    }
    const together = await measureTogether(
      framework,
      client,
      pairsOf(contenders),
      servers,
      sent,
      options,
      log,
    );
    // Reported floors first, then sess, then its peers: the order of the kinds, not of the runs.
    return contenders
      .toSorted((a, b) => CONTENDER_KINDS.indexOf(a.kind) - CONTENDER_KINDS.indexOf(b.kind))
      .map((contender) =>
        rowOf(
          contender,
          contenders,
          runs,
          together,
          totals.get(contender.id)!,
          cpu.get(contender.id)!,
        ),
      );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * Each pair `httpRuns` times, in rounds: a second of both under load together, untimed (a server
 * idle while others ran starts slower, and its partner may have just run), then `duration`
 * seconds together, counters read around it. `sent` moves on with every request sent.
 */
async function measureTogether(
  framework: Framework,
  client: LoadClient,
  pairs: readonly (readonly [Contender, Contender])[],
  servers: readonly RunningServer[],
  sent: Map<string, number>,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Map<string, Together>> {
  const together = new Map<string, Together>();
  const byId = new Map(servers.map((server) => [server.contender.id, server]));
  const drive = async (pair: readonly [RunningServer, RunningServer], duration: number) => {
    const [a, b] = pair.map((server) => server.contender.id) as [string, string];
    const results = await loadTogether(client, pair, duration, options.connections, [
      sent.get(a)!,
      sent.get(b)!,
    ]);
    sent.set(a, sent.get(a)! + results[0].sent);
    sent.set(b, sent.get(b)! + results[1].sent);
    return results;
  };
  for (let run = 1; run <= options.httpRuns; run++) {
    for (const [a, b] of pairs) {
      const pair = [byId.get(a.id)!, byId.get(b.id)!] as const;
      for (const server of pair) server.clock(true);
      await drive(pair, 1);
      const before = await Promise.all(pair.map((server) => server.stats()));
      const results = await drive(pair, options.duration);
      const after = await Promise.all(pair.map((server) => server.stats()));
      for (const server of pair) server.clock(false);
      // Requests per second of each server's own CPU time.
      const perCpu = results.map(
        (_, k) =>
          (1e6 * (after[k]!.requests - before[k]!.requests)) /
          (after[k]!.cpuMicros - before[k]!.cpuMicros),
      );
      const key = pairKey(a.id, b.id);
      const entry: Together = together.get(key) ?? {
        perCpu: [[], []],
        served: [[], []],
      };
      together.set(key, entry);
      results.forEach((result, k) => {
        entry.perCpu[k]!.push(perCpu[k]!);
        entry.served[k]!.push(result.reqPerSec);
      });
      const shown = (k: number) =>
        `${pair[k]!.contender.id} ${Math.round(results[k]!.reqPerSec)} req/s (${Math.round(perCpu[k]!)} per CPU-second)`;
      log(
        `  ${framework} together ${run}: ${shown(0)}, ${shown(1)}, CPU ${Math.round(busyIn(entry, entry.served[0].length - 1) * 100)}% busy`,
      );
    }
  }
  return together;
}

function rowOf(
  contender: Contender,
  contenders: readonly Contender[],
  runs: ReadonlyMap<string, readonly LoadResult[]>,
  together: ReadonlyMap<string, Together>,
  totals: Totals,
  cpuPerRun: readonly number[],
): HttpRow {
  const { framework, kind, mix } = contender;
  const rates = (id: string) => summarize(runs.get(id)!.map((r) => r.reqPerSec));
  const reqPerSec = rates(contender.id);
  // Floors and the bare route run under one mix; a row is compared with them whatever its own.
  // A floor left out by `--contenders` is no comparison (the bare route always runs).
  const floorId = (floor: ContenderKind) => contenders.find((c) => c.kind === floor)?.id ?? null;
  const compare = (to: string | null): Comparison | null => {
    if (to === null || !runs.has(to)) return null;
    const pair = together.get(pairKey(contender.id, to));
    if (pair === undefined) return { to, ...paired(reqPerSec.values, rates(to).values) };
    return {
      to,
      ...paired(...pair.perCpu),
      together: {
        sharedCpu: summarize(pair.served[0].map((_, i) => busyIn(pair, i))),
        served: paired(...pair.served).byRound,
      },
    };
  };
  const results = runs.get(contender.id)!;
  return {
    framework,
    id: contender.id,
    kind,
    mix,
    label: contender.label,
    reqPerSec,
    p50: summarize(results.map((r) => r.p50)),
    p99: summarize(results.map((r) => r.p99)),
    vsBare: compare(floorId('bare'))!,
    vsFloor: compare(contender.floor && floorId(contender.floor)),
    vsPeer: compare(contender.peer && contenderId(framework, contender.peer, mix)),
    vsTwin: compare(contender.twin && contenderId(framework, contender.twin, mix)),
    cache: cacheOf(kind, totals),
    storeCallsPerRequest: perRequest(totals),
    cpuPerRequest: summarize(cpuPerRun),
  };
}

/**
 * Every selected framework, one after the other, from one load client; servers and client as
 * `where` places them.
 */
export async function benchHttp(
  options: BenchOptions,
  services: Services,
  profileDir: string | null,
  where: Placement | null,
  log: (line: string) => void,
): Promise<HttpRow[]> {
  const client = await startLoadClient(where?.client ?? null);
  try {
    const rows: HttpRow[] = [];
    for (const framework of options.frameworks) {
      rows.push(
        ...(await benchFramework(framework, client, options, services, profileDir, where, log)),
      );
    }
    return rows;
  } finally {
    client.close();
  }
}
