import type { MixName } from '../mixes.ts';
import type { Framework } from '../options.ts';
import type { FloorStore } from './floors.ts';

/** How a contender authenticates `GET /me`. */
export type ContenderKind =
  | 'bare'
  | 'noop'
  | 'token-lookup'
  | 'redis-read'
  | 'postgres-read'
  | 'sqlite-read'
  | 'sess-jwt'
  | 'sess-jwt-otel'
  | 'sess-db-redis'
  | 'sess-db-postgres'
  | 'sess-db-sqlite'
  | 'express-session-redis'
  | 'express-session-postgres'
  | 'jsonwebtoken'
  | 'hono-jwt';

/** One server measured over HTTP, driven by one traffic mix. */
export interface Contender {
  /** `<framework>/<kind>:<mix>`. */
  readonly id: string;
  readonly framework: Framework;
  readonly kind: ContenderKind;
  readonly mix: MixName;
  readonly label: string;
  /** The peer library a user would pick instead, compared in the same run on the same mix. */
  readonly peer: ContenderKind | null;
  /** The floor this contender is held against: one read of its store, or the token lookup. */
  readonly floor: ContenderKind | null;
  /** The same route without instrumentation, for an instrumented one (judged against it alone). */
  readonly twin: ContenderKind | null;
  /** False for the floors, which verify nothing (the proof before timing skips the 401 checks). */
  readonly authenticates: boolean;
  /** Whether `GET /me` names the credential's user (all but the bare and no-op routes). */
  readonly identifies: boolean;
}

const LABELS: Record<ContenderKind, string> = {
  bare: 'bare route (no auth)',
  noop: 'one no-op middleware (the floor of any middleware)',
  'token-lookup':
    'one middleware, one Map lookup of the bearer token, no crypto (the floor of any check keyed by the credential)',
  'redis-read':
    'one middleware, one Redis GET, no auth (the floor of any Redis session middleware)',
  'postgres-read':
    'one middleware, one Postgres SELECT, no auth (the floor of any Postgres session middleware)',
  'sqlite-read':
    'one middleware, one SQLite SELECT, no auth (the floor of any SQLite session middleware)',
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

/** Every kind of contender. */
export const CONTENDER_KINDS = Object.keys(LABELS) as ContenderKind[];

/** The "one read" floor of each store. */
export const READ_FLOOR: Record<FloorStore, ContenderKind> = {
  redis: 'redis-read',
  postgres: 'postgres-read',
  sqlite: 'sqlite-read',
};

const FLOORS: readonly ContenderKind[] = [
  'bare',
  'noop',
  'token-lookup',
  READ_FLOOR.redis,
  READ_FLOOR.postgres,
  READ_FLOOR.sqlite,
];

const SESS: readonly ContenderKind[] = [
  'sess-jwt',
  'sess-db-redis',
  'sess-db-postgres',
  'sess-db-sqlite',
];
const SESS_KINDS: readonly ContenderKind[] = [...SESS, 'sess-jwt-otel'];

/**
 * The floor each contender is held against: for a database strategy, one read of its store; for a
 * JWT, the least a check keyed by the token costs (a verified-token cache hit is such a lookup).
 */
const FLOOR_OF: Partial<Record<ContenderKind, ContenderKind>> = {
  'sess-jwt': 'token-lookup',
  'sess-jwt-otel': 'token-lookup',
  jsonwebtoken: 'token-lookup',
  'hono-jwt': 'token-lookup',
  'sess-db-redis': READ_FLOOR.redis,
  'sess-db-postgres': READ_FLOOR.postgres,
  'sess-db-sqlite': READ_FLOOR.sqlite,
  'express-session-redis': READ_FLOOR.redis,
  'express-session-postgres': READ_FLOOR.postgres,
};

/** The same jwt route with @sess/opentelemetry, measured against `sess-jwt` (Express only: the cost is framework-independent). */
const INSTRUMENTED: Record<Framework, readonly ContenderKind[]> = {
  express: ['sess-jwt-otel'],
  koa: [],
  hono: [],
};

/** An instrumented route and the same route without instrumentation, which it is judged against. */
const TWIN_OF: Partial<Record<ContenderKind, ContenderKind>> = { 'sess-jwt-otel': 'sess-jwt' };

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

/** `<framework>/<kind>:<mix>`. */
export const contenderId = (framework: Framework, kind: ContenderKind, mix: MixName): string =>
  `${framework}/${kind}:${mix}`;

/**
 * Kinds measured side by side in each round, every target's pair a run or two apart: the jwt
 * route beside the bare route, its floors, its instrumented twin and its peers; each store's read
 * floor beside sess and the peer on that store.
 */
const NEIGHBOURS: readonly (readonly ContenderKind[])[] = [
  ['noop', 'bare', 'sess-jwt', 'sess-jwt-otel', 'token-lookup', 'jsonwebtoken', 'hono-jwt'],
  [READ_FLOOR.redis, 'sess-db-redis', 'express-session-redis'],
  [READ_FLOOR.postgres, 'sess-db-postgres', 'express-session-postgres'],
  [READ_FLOOR.sqlite, 'sess-db-sqlite'],
];

/**
 * Every contender of `framework`, in the order of a round: each group of {@link NEIGHBOURS} with
 * its floors driven by the first mix only (they verify no credential, so a mix changes nothing for
 * them) and its other kinds under every mix, the first mix's runs together, then the others'.
 */
export function contendersOf(
  framework: Framework,
  mixes: readonly MixName[],
  only: readonly ContenderKind[] | null = null,
): Contender[] {
  const picked = (kind: ContenderKind) => only === null || kind === 'bare' || only.includes(kind);
  const peers = PEERS[framework];
  const present = new Set<ContenderKind>([
    ...FLOORS,
    ...SESS,
    ...INSTRUMENTED[framework],
    ...Object.values(peers),
  ]);
  const make = (kind: ContenderKind, mix: MixName): Contender => {
    const floor = FLOORS.includes(kind);
    return {
      id: contenderId(framework, kind, mix),
      framework,
      kind,
      mix,
      label: LABELS[kind],
      peer: peers[kind] ?? null,
      floor: FLOOR_OF[kind] ?? null,
      twin: TWIN_OF[kind] ?? null,
      authenticates: !floor,
      identifies: kind !== 'bare' && kind !== 'noop',
    };
  };
  return NEIGHBOURS.flatMap((group) => {
    const kinds = group.filter((kind) => present.has(kind) && picked(kind));
    return mixes.flatMap((mix, i) =>
      kinds.filter((kind) => i === 0 || !FLOORS.includes(kind)).map((kind) => make(kind, mix)),
    );
  });
}

/**
 * The pairs the targets judge, each to be run together (see `loadTogether`): on the first mix,
 * every sess contender with each row it is held against. An instrumented route meets its plain
 * twin; any other sess route meets its floor and its peer, and a jwt route the bare route too, as
 * does its floor (how far the floor itself stands from the bare route explains the jwt targets).
 */
export function pairsOf(contenders: readonly Contender[]): [Contender, Contender][] {
  const mix = contenders[0]?.mix;
  const partner = (kind: ContenderKind | null) =>
    contenders.find((c) => c.kind === kind && c.mix === mix);
  return contenders
    .filter((c) => c.mix === mix && (SESS_KINDS.includes(c.kind) || c.kind === 'token-lookup'))
    .flatMap((c) => {
      const kinds: (ContenderKind | null)[] = c.twin
        ? [c.twin]
        : [c.kind === 'sess-jwt' || c.kind === 'token-lookup' ? 'bare' : null, c.floor, c.peer];
      return kinds.flatMap((kind) => {
        const other = partner(kind);
        return other ? [[c, other] as [Contender, Contender]] : [];
      });
    });
}
