import { FLOOR_STORES, type FloorStore } from './http/floors.ts';
import { MICRO } from './micro/tokens.ts';
import { FRAMEWORKS, type Framework } from './options.ts';
import type { Comparison, HttpRow, MicroRow, OpsRow, TargetResult, WritesRow } from './results.ts';
import { paired, type Summary } from './stats.ts';

const times = (value: number) => `${value.toFixed(2)}×`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
/** The per-round spread, so a result near its goal shows how far noise reaches. */
const rounds = (s: Summary, show: (v: number) => string) => `rounds ${show(s.min)}–${show(s.max)}`;

/**
 * A comparison's ratio and spread; for a pair run together, how busy they kept their CPU and the
 * ratio of what they served in the same seconds.
 */
function shownRatio(c: Comparison, show: (v: number) => string, what = ''): string {
  const cpu = c.together
    ? `; run together: their CPU ${percent(c.together.sharedCpu.median)} busy, req/s ${show(c.together.served.median)}`
    : '';
  return `${show(c.ratio)}${what} (${rounds(c.byRound, show)}${cpu})`;
}

type Measured = { value: number; shown: string } | null;

/** `a` against `b` measured in the same rounds (the median of the per-round ratios), shown with `show`. */
function compared(a: Summary, b: Summary, show: (v: number) => string, extra = ''): Measured {
  const { ratio, byRound } = paired(a.values, b.values);
  return { value: ratio, shown: `${show(ratio)} (${rounds(byRound, show)})${extra}` };
}

function target(
  origin: TargetResult['origin'],
  name: string,
  goal: string,
  measured: Measured,
  passes: (value: number) => boolean,
): TargetResult {
  if (measured === null) return { origin, name, goal, measured: 'not run', pass: null };
  return { origin, name, goal, measured: measured.shown, pass: passes(measured.value) };
}

/**
 * Store calls per request, in total and by operation; operations under 0.005 per request (a
 * background poll, a rare touch) count in the total but are not named.
 */
export function storeCalls(calls: Readonly<Record<string, number>>): string {
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const ops = Object.entries(calls)
    .filter(([, n]) => n >= 0.005)
    .map(([op, n]) => `${op} ${n.toFixed(2)}`);
  return `${total.toFixed(2)}${ops.length > 0 ? ` (${ops.join(', ')})` : ''}`;
}

/** What the row's requests cost besides the route: its cache hit rate and its store calls. */
export function costOf(row: Pick<HttpRow, 'cache' | 'storeCallsPerRequest'>): string {
  const parts: string[] = [];
  if (row.cache) {
    parts.push(
      row.cache.hitRate === null
        ? `${row.cache.name} hits not reported`
        : `${row.cache.name} hits ${percent(row.cache.hitRate)}`,
    );
  }
  if (row.storeCallsPerRequest)
    parts.push(`${storeCalls(row.storeCallsPerRequest)} store calls/request`);
  return parts.join('; ');
}

const GOAL_OF_FLOOR: Record<FloorStore, number> = { redis: 0.9, postgres: 0.8, sqlite: 0.8 };
const STORE_NAME: Record<FloorStore, string> = {
  redis: 'Redis',
  postgres: 'Postgres',
  sqlite: 'SQLite',
};

/**
 * The targets of issue 22 (and those of issue 6 that still apply), judged on this run's medians,
 * HTTP ones on the 10,000-user mix. The benchmark never fails on a MISS.
 */
export function evaluateTargets(
  micro: readonly MicroRow[],
  ops: readonly OpsRow[],
  writes: readonly WritesRow[],
  http: readonly HttpRow[],
): TargetResult[] {
  const microRow = (name: string) => micro.find((row) => row.name === name);
  const microRatio = (name: string, other: string, extra = ''): Measured => {
    const a = microRow(name)?.opsPerSec;
    const b = microRow(other)?.opsPerSec;
    if (!a || !b) return null;
    return compared(a, b, times, extra);
  };
  const row = (framework: Framework, kind: string) =>
    http.find((r) => r.id === `${framework}/${kind}:users`);
  /** The row's server CPU per request against another row's, when both report it. */
  const cpuAgainst = (r: HttpRow, otherId: string | undefined, name: string) => {
    const other = http.find((o) => o.id === otherId);
    const [a, b] = [r.cpuPerRequest?.median, other?.cpuPerRequest?.median];
    if (a === undefined || b === undefined) return '';
    const sign = a >= b ? '+' : '−';
    return `; server CPU ${a.toFixed(1)} µs/req vs ${b.toFixed(1)} for ${name} (${sign}${Math.abs(a - b).toFixed(1)})`;
  };
  const withCost = (r: HttpRow) => {
    const cost = costOf(r);
    return cost ? `; ${cost}` : '';
  };

  const distinct = microRow(MICRO.sessManyUncached);
  const uncached = target(
    'issue 22',
    'micro: uncached jwt validation, 20,000 distinct tokens',
    '≥ 1.5× jsonwebtoken (KeyObject) on the same tokens',
    microRatio(
      MICRO.sessManyUncached,
      MICRO.jsonwebtokenMany,
      distinct
        ? `; ${costOf({ cache: distinct.cache ?? null, storeCallsPerRequest: distinct.storeCallsPerOp ?? null }).replace('request', 'validation')}`
        : '',
    ),
    (v) => v >= 1.5,
  );
  /** Where the token-lookup floor stands, and the row against it. */
  const lookupFloor = (r: HttpRow, framework: Framework) => {
    const floor = row(framework, 'token-lookup');
    if (!floor || !r.vsFloor) return '';
    return `; the token-lookup floor ${shownRatio(floor.vsBare, percent, ' of bare')}, sess ${shownRatio(r.vsFloor, percent, ' of the floor')}`;
  };
  const jwtVsBare = FRAMEWORKS.map((framework) => {
    const r = row(framework, 'sess-jwt');
    return target(
      'issue 22',
      `http: jwt strategy on ${framework}, 10,000 users`,
      '≥ 85% of the bare route',
      r
        ? {
            value: r.vsBare.ratio,
            shown: `${shownRatio(r.vsBare, percent, ' of bare')}${withCost(r)}${lookupFloor(r, framework)}${cpuAgainst(r, row(framework, 'bare')?.id, 'bare')}${cpuAgainst(r, row(framework, 'noop')?.id, 'a no-op middleware')}${cpuAgainst(r, row(framework, 'token-lookup')?.id, 'the token-lookup floor')}`,
          }
        : null,
      (v) => v >= 0.85,
    );
  });
  const dbVsFloor = FLOOR_STORES.flatMap((store) =>
    FRAMEWORKS.map((framework) => {
      const r = row(framework, `sess-db-${store}`);
      const goal = GOAL_OF_FLOOR[store];
      return target(
        'issue 22',
        `http: database strategy on ${STORE_NAME[store]}, ${framework}`,
        `≥ ${goal * 100}% of one ${STORE_NAME[store]} read, no auth`,
        r?.vsFloor
          ? {
              value: r.vsFloor.ratio,
              shown: `${shownRatio(r.vsFloor, percent, ' of the floor')}${withCost(r)}${cpuAgainst(r, r.vsFloor.to, 'the floor')}`,
            }
          : null,
        (v) => v >= goal,
      );
    }),
  );
  const dbRedis = row('express', 'sess-db-redis');
  const peerRedis = row('express', 'express-session-redis');
  const honoJwt = row('hono', 'sess-jwt')?.vsPeer;
  const otelJwt = row('express', 'sess-jwt-otel');
  const refresh = ops.find(
    (o) => o.store === 'redis' && o.op === 'refresh' && o.concurrency === 64,
  );
  const written = writes.reduce((sum, w) => sum + w.writes, 0);
  const validated = writes.reduce((sum, w) => sum + w.validations, 0);

  return [
    uncached,
    ...jwtVsBare,
    ...dbVsFloor,
    target(
      'issue 22',
      'http: database strategy on Redis vs express-session + connect-redis, 10,000 users',
      'ahead (> 1×)',
      dbRedis?.vsPeer
        ? {
            value: dbRedis.vsPeer.ratio,
            shown: shownRatio(dbRedis.vsPeer, times),
          }
        : null,
      (v) => v > 1,
    ),
    target(
      'issue 22',
      'http: database strategy on Redis, p99, 10,000 users',
      'p99 no worse than express-session + connect-redis',
      dbRedis && peerRedis
        ? {
            value: dbRedis.p99.median - peerRedis.p99.median,
            shown: `${dbRedis.p99.median} ms vs ${peerRedis.p99.median} ms`,
          }
        : null,
      (difference) => difference <= 0,
    ),
    target(
      'issue 6',
      'micro: sess vs jose, one token repeated',
      '≥ 5× jose jwtVerify',
      microRatio(MICRO.sess, MICRO.jose),
      (v) => v >= 5,
    ),
    target(
      'issue 6',
      'micro: jwt validation with @sess/opentelemetry, 10,000 users',
      '≥ 95% of the same validation without it',
      microRatio(MICRO.sessOtel, MICRO.sessUsers),
      (v) => v >= 0.95,
    ),
    target(
      'issue 6',
      "http: jwt strategy vs Hono's jwt, 10,000 users",
      "≥ 3× Hono's jwt middleware",
      honoJwt
        ? {
            value: honoJwt.ratio,
            shown: shownRatio(honoJwt, times),
          }
        : null,
      (v) => v >= 3,
    ),
    target(
      'issue 6',
      'http: jwt strategy with @sess/opentelemetry, 10,000 users',
      '≥ 95% of the same route without it',
      otelJwt?.vsTwin
        ? { value: otelJwt.vsTwin.ratio, shown: shownRatio(otelJwt.vsTwin, percent) }
        : null,
      (v) => v >= 0.95,
    ),
    target(
      'issue 6',
      'store writes below the touch threshold',
      '0 writes',
      writes.length > 0
        ? { value: written, shown: `${written} writes in ${validated} validations` }
        : null,
      (v) => v === 0,
    ),
    target(
      'issue 6',
      'refresh on Redis, 64 in flight',
      '≥ 5,000/s',
      refresh
        ? {
            value: refresh.opsPerSec.median,
            shown: `${Math.round(refresh.opsPerSec.median).toLocaleString('en')}/s`,
          }
        : null,
      (v) => v >= 5000,
    ),
  ];
}
