import { parseArgs } from 'node:util';
import { CONTENDER_KINDS, type ContenderKind } from './http/contenders.ts';
import { MIXES, type MixName } from './mixes.ts';

/** The suites `pnpm bench` runs, in order. */
export const SUITES = ['micro', 'ops', 'writes', 'http', 'pair'] as const;
export type Suite = (typeof SUITES)[number];

export const FRAMEWORKS = ['express', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** How one `pnpm bench` runs. Flags win over environment variables, which win over defaults. */
export interface BenchOptions {
  /** A smoke run: fewer and shorter runs, results written to `quick.*` (not committed). */
  readonly quick: boolean;
  /** Measured runs per contender, in alternating rounds (micro, ops, pair). */
  readonly runs: number;
  /** HTTP rounds: of each server alone, then of each pair a target judges run together. */
  readonly httpRuns: number;
  /** Seconds of load per HTTP run. */
  readonly duration: number;
  /** Concurrent HTTP connections. */
  readonly connections: number;
  /** CPU time per micro-benchmark run, in milliseconds. */
  readonly microMs: number;
  readonly suites: readonly Suite[];
  readonly frameworks: readonly Framework[];
  /** Traffic mixes every authenticating HTTP contender is driven with; the floors take the first. */
  readonly mixes: readonly MixName[];
  /** HTTP contenders to run (the bare route always runs: every ratio needs it); null for all. */
  readonly contenders: readonly ContenderKind[] | null;
  /** Where the results go, without extension: `<out>.md`, `<out>.json`, `<out>-http-*.svg`. */
  readonly out: string | null;
  /** Start HTTP servers with `--cpu-prof` (profiles in `results/profiles/`). */
  readonly profile: boolean;
  /** Let each HTTP server and its load client share the CPUs instead of one CPU each. */
  readonly sharedCpus: boolean;
  readonly redisUrl: string;
  readonly databaseUrl: string;
}

const HELP = `pnpm bench [-- options]

  --quick              smoke run: 3 runs of 1 s, results in results/quick.{md,json}
  --runs <n>           measured runs per contender (default 5, env BENCH_RUNS)
  --http-runs <n>      HTTP rounds, alone and of pairs together (default 3, env BENCH_HTTP_RUNS)
  --duration <s>       seconds of load per HTTP run (default 2, env BENCH_DURATION)
  --connections <n>    concurrent HTTP connections (default 50, env BENCH_CONNECTIONS)
  --only <list>        suites to run: ${SUITES.join(',')} (default all)
  --frameworks <list>  ${FRAMEWORKS.join(',')} (default all)
  --mixes <list>       HTTP traffic: ${MIXES.join(',')} (default both; floors take the first)
  --contenders <list>  HTTP contenders by kind, e.g. sess-jwt,redis-read (default all)
  --out <path>         results to <path>.{md,json} and <path>-http-*.svg (default results/latest)
  --profile            run HTTP servers under --cpu-prof (results/profiles/)
  --shared-cpus        HTTP server and load client share the CPUs (default: one CPU each)

  REDIS_URL (default redis://127.0.0.1:6379), DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)`;

function list<T extends string>(value: string | undefined, all: readonly T[], name: string): T[] {
  if (value === undefined) return [...all];
  const picked = value.split(',').map((s) => s.trim());
  const unknown = picked.filter((s) => !all.includes(s as T));
  if (unknown.length > 0) throw new Error(`--${name}: unknown ${unknown.join(', ')}`);
  return picked as T[];
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: a positive number, got ${value}`);
  return n;
}

/** Parses `argv` and the environment; prints help and exits on `--help`. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'http-runs': { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      frameworks: { type: 'string' },
      mixes: { type: 'string' },
      contenders: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'shared-cpus': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  return {
    quick,
    runs: Math.round(positive(values.runs ?? env.BENCH_RUNS, quick ? 3 : 5, 'runs')),
    httpRuns: Math.round(
      positive(values['http-runs'] ?? env.BENCH_HTTP_RUNS, quick ? 2 : 3, 'http-runs'),
    ),
    duration: positive(values.duration ?? env.BENCH_DURATION, quick ? 1 : 2, 'duration'),
    connections: Math.round(
      positive(values.connections ?? env.BENCH_CONNECTIONS, 50, 'connections'),
    ),
    microMs: quick ? 150 : 500,
    suites: list(values.only, SUITES, 'only'),
    frameworks: list(values.frameworks, FRAMEWORKS, 'frameworks'),
    mixes: list(values.mixes, MIXES, 'mixes'),
    contenders:
      values.contenders === undefined
        ? null
        : list(values.contenders, CONTENDER_KINDS, 'contenders'),
    out: values.out ?? null,
    profile: values.profile,
    sharedCpus: values['shared-cpus'],
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}
