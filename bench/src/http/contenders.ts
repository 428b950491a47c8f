import type { Framework } from '../options.ts';

/** How a contender authenticates `GET /me`. */
export type ContenderKind =
  | 'bare'
  | 'noop'
  | 'redis-read'
  | 'sess-jwt'
  | 'sess-jwt-otel'
  | 'sess-db-redis'
  | 'sess-db-postgres'
  | 'sess-db-sqlite'
  | 'express-session-redis'
  | 'express-session-postgres'
  | 'jsonwebtoken'
  | 'hono-jwt';

/** One server measured over HTTP. */
export interface Contender {
  /** `<framework>/<kind>`. */
  readonly id: string;
  readonly framework: Framework;
  readonly kind: ContenderKind;
  readonly label: string;
  /** The peer library a user would pick instead, compared in the same run. */
  readonly peer: ContenderKind | null;
  /** False for the floors (bare, no-op, a raw Redis read), which answer everyone. */
  readonly authenticates: boolean;
}

const LABELS: Record<ContenderKind, string> = {
  bare: 'bare route (no auth)',
  noop: 'one no-op middleware (the floor of any middleware)',
  'redis-read': 'one Redis read per request, no auth (the floor of any Redis session)',
  'sess-jwt': 'sess, jwt strategy',
  'sess-jwt-otel':
    'sess, jwt strategy, with @sess/opentelemetry (SDK registered, validate spans off)',
  'sess-db-redis': 'sess, database strategy, Redis',
  'sess-db-postgres': 'sess, database strategy, Postgres',
  'sess-db-sqlite': 'sess, database strategy, SQLite',
  'express-session-redis': 'express-session + connect-redis',
  'express-session-postgres': 'express-session + connect-pg-simple',
  jsonwebtoken: 'jsonwebtoken middleware',
  'hono-jwt': "Hono's jwt middleware",
};

const SESS: readonly ContenderKind[] = [
  'sess-jwt',
  'sess-db-redis',
  'sess-db-postgres',
  'sess-db-sqlite',
];

/** The same jwt route with @sess/opentelemetry, measured against `sess-jwt` (Express only: the cost is framework-independent). */
const INSTRUMENTED: Record<Framework, readonly ContenderKind[]> = {
  express: ['sess-jwt-otel'],
  koa: [],
  hono: [],
};

/** Peers per framework, and which sess contender each is compared with. */
const PEERS: Record<Framework, Partial<Record<ContenderKind, ContenderKind>>> = {
  express: {
    'sess-jwt': 'jsonwebtoken',
    'sess-db-redis': 'express-session-redis',
    'sess-db-postgres': 'express-session-postgres',
  },
  koa: {},
  hono: { 'sess-jwt': 'hono-jwt' },
};

const FLOORS: Record<Framework, readonly ContenderKind[]> = {
  // Express has the Redis peer: its floor shows what one round trip per request costs there.
  express: ['bare', 'noop', 'redis-read'],
  koa: ['bare', 'noop'],
  hono: ['bare', 'noop'],
};

/** Every contender of `framework`: the bare route and the floors first, then sess, then peers. */
export function contendersOf(framework: Framework): Contender[] {
  const peers = PEERS[framework];
  const floors = FLOORS[framework];
  const kinds: ContenderKind[] = [
    ...floors,
    ...SESS,
    ...INSTRUMENTED[framework],
    ...new Set(Object.values(peers)),
  ];
  return kinds.map((kind) => ({
    id: `${framework}/${kind}`,
    framework,
    kind,
    label: LABELS[kind],
    peer: peers[kind] ?? null,
    authenticates: !floors.includes(kind),
  }));
}
