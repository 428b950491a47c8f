import { MICRO } from './micro/tokens.ts';
import type { Framework } from './options.ts';
import type { HttpRow, MicroRow, OpsRow, TargetResult, WritesRow } from './results.ts';
import { ratio, ratiosByRun, type Summary } from './stats.ts';

const times = (value: number) => `${value.toFixed(2)}×`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
/** The per-round spread, so a result near its goal shows how far noise reaches. */
const rounds = (s: Summary, show: (v: number) => string) => `rounds ${show(s.min)}–${show(s.max)}`;

type Measured = { value: number; shown: string } | null;

function peerMeasure(vsPeer: NonNullable<HttpRow['vsPeer']>): Measured {
  return {
    value: vsPeer.ratio,
    shown: `${times(vsPeer.ratio)} (${rounds(vsPeer.byRound, times)})`,
  };
}

function target(
  name: string,
  goal: string,
  measured: Measured,
  passes: (value: number) => boolean,
): TargetResult {
  if (measured === null) return { name, goal, measured: 'not run', pass: null };
  return { name, goal, measured: measured.shown, pass: passes(measured.value) };
}

/** The targets of issue 6, judged on this run's medians. The benchmark never fails on a MISS. */
export function evaluateTargets(
  micro: readonly MicroRow[],
  ops: readonly OpsRow[],
  writes: readonly WritesRow[],
  http: readonly HttpRow[],
): TargetResult[] {
  const microOps = (name: string) => micro.find((row) => row.name === name)?.opsPerSec.median;
  const microRatio = (other: string): Measured => {
    const sess = microOps(MICRO.sess);
    const peer = microOps(other);
    if (sess === undefined || peer === undefined) return null;
    const value = ratio(sess, peer);
    return { value, shown: times(value) };
  };
  const row = (id: string) => http.find((r) => r.id === id);
  const microOtel = (): Measured => {
    const plain = micro.find((r) => r.name === MICRO.sess)?.opsPerSec;
    const observed = micro.find((r) => r.name === MICRO.sessOtel)?.opsPerSec;
    if (!plain || !observed) return null;
    const value = ratio(observed.median, plain.median);
    const byRound = ratiosByRun(observed.values, plain.values);
    return { value, shown: `${percent(value)} (${rounds(byRound, percent)})` };
  };
  const vsBare = (framework: Framework): Measured => {
    const r = row(`${framework}/sess-jwt`);
    if (!r) return null;
    return {
      value: r.vsBare,
      shown: `${percent(r.vsBare)} of bare (${rounds(r.vsBareByRound, percent)})`,
    };
  };
  const honoJwt = row('hono/sess-jwt')?.vsPeer;
  const plainJwt = row('express/sess-jwt');
  const otelJwt = row('express/sess-jwt-otel');
  const dbRedis = row('express/sess-db-redis');
  const peerRedis = row('express/express-session-redis');
  const refresh = ops.find(
    (o) => o.store === 'redis' && o.op === 'refresh' && o.concurrency === 64,
  );
  const written = writes.reduce((sum, w) => sum + w.writes, 0);
  const validated = writes.reduce((sum, w) => sum + w.validations, 0);

  return [
    target('micro: sess vs jose', '≥ 5× jose jwtVerify', microRatio(MICRO.jose), (v) => v >= 5),
    target(
      'micro: sess vs jsonwebtoken',
      '≥ 1.5× jsonwebtoken (KeyObject)',
      microRatio(MICRO.jsonwebtoken),
      (v) => v >= 1.5,
    ),
    target(
      'micro: jwt validation with @sess/opentelemetry',
      '≥ 95% of the same validation without it',
      microOtel(),
      (v) => v >= 0.95,
    ),
    ...(['express', 'koa', 'hono'] as const).map((framework) =>
      target(
        `http: jwt strategy on ${framework}`,
        '≥ 85% of the bare route',
        vsBare(framework),
        (v) => v >= 0.85,
      ),
    ),
    target(
      "http: jwt strategy vs Hono's jwt",
      "≥ 3× Hono's jwt middleware",
      honoJwt ? peerMeasure(honoJwt) : null,
      (v) => v >= 3,
    ),
    target(
      'http: jwt strategy with @sess/opentelemetry',
      '≥ 95% of the same route without it',
      plainJwt && otelJwt
        ? {
            value: ratio(otelJwt.reqPerSec.median, plainJwt.reqPerSec.median),
            shown: `${percent(ratio(otelJwt.reqPerSec.median, plainJwt.reqPerSec.median))} (${rounds(
              ratiosByRun(otelJwt.reqPerSec.values, plainJwt.reqPerSec.values),
              percent,
            )})`,
          }
        : null,
      (v) => v >= 0.95,
    ),
    target(
      'http: database strategy on Redis',
      '≥ 1.4× express-session + connect-redis',
      dbRedis?.vsPeer ? peerMeasure(dbRedis.vsPeer) : null,
      (v) => v >= 1.4,
    ),
    target(
      'http: database strategy on Redis, p99',
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
      'store writes below the touch threshold',
      '0 writes',
      writes.length > 0
        ? { value: written, shown: `${written} writes in ${validated} validations` }
        : null,
      (v) => v === 0,
    ),
    target(
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
