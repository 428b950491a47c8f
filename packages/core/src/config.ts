import { type AnomalyOptions, type ResolvedAnomalies, resolveAnomalies } from './anomalies.ts';
import {
  GUEST_CLASS,
  type GuestOptions,
  type ResolvedGuest,
  resolveGuest,
} from './config/guest.ts';
import { type JwtOptions, type ResolvedJwt, resolveJwt } from './config/jwt.ts';
import {
  PRESETS,
  type Preset,
  type ResolvedSessionClass,
  resolveClasses,
  type SessionClassOptions,
} from './config/sessions.ts';
import { type CookieConfig, type ResolvedCookies, resolveCookieConfig } from './cookies/index.ts';
import { type CsrfOptions, resolveCsrfConfig } from './csrf/index.ts';
import { ConfigError } from './errors.ts';
import type { Logger } from './events.ts';
import { weakSecretReason } from './jwt/weak-secrets.ts';
import type { SessionStore } from './store.ts';
import { type Clock, systemClock } from './util/clock.ts';
import { type Duration, parseDuration } from './util/duration.ts';
import { utf8Encoder } from './util/encoding.ts';
import { type KnownOptions, unknownOptionIssues } from './util/known-keys.ts';

/**
 * How requests are authenticated.
 * - `database`: an opaque credential in an HttpOnly cookie, checked against the store on every
 *   request. Instant invalidation.
 * - `jwt`: a short-lived access JWT verified without the store, plus the session credential as a
 *   rotating refresh token. Revocation through the deny-list and watermarks (revocation cache).
 * - `hybrid`: the access JWT carries identity and the store confirms the session is alive.
 */
export type Strategy = 'database' | 'jwt' | 'hybrid';

export type {
  GuestOptions,
  JwtOptions,
  Preset,
  ResolvedJwt,
  ResolvedSessionClass,
  SessionClassOptions,
};

/** What to do when a session's user agent or IP changes: nothing, emit `session.anomaly`, or revoke. */
export type BindingPolicy = 'off' | 'event' | 'revoke';

/** Options of `createSessionManager`. Validated once, at construction: every problem is listed in one {@link ConfigError}. */
export interface SessionManagerOptions {
  /** Where sessions live. Required: there is no implicit in-memory default. */
  store: SessionStore;
  /** How requests are authenticated. @default 'database' */
  strategy?: Strategy;
  /** Lifetimes preset: `b2b` (access 15m, refresh 7d), `b2c` (1h / 30d), `internal` (8h / 90d). */
  preset?: Preset;
  /**
   * The server secret (at least 32 random bytes; well-known example secrets and secrets a person
   * made up, such as `my-company-production-secret-2024`, are refused) from which the
   * rotation and CSRF keys are derived. Pass an array to rotate it: new rotations and CSRF tokens
   * use the first; retries inside the reuse window are recognised under every one (outstanding CSRF
   * tokens of an older secret stop verifying; pages fetch a new one).
   */
  secret: string | readonly string[];
  /** Timeouts per session class; `standard` and `rememberMe` always exist, add your own. */
  sessions?: Record<string, SessionClassOptions>;
  /** Access tokens (required for the `jwt` and `hybrid` strategies). */
  jwt?: JwtOptions;
  /** Refresh rotation. */
  refresh?: {
    /** How long a just-superseded secret still returns the same successor (lost responses, parallel tabs). @default '10s' */
    reuseWindow?: Duration;
  };
  /** Caps the live sessions of one user. */
  maxSessionsPerUser?: {
    /** The cap. */
    limit: number;
    /** Evict the oldest session, or reject the new login. @default 'evict-oldest' */
    policy?: 'evict-oldest' | 'reject';
  };
  /**
   * How long after an idle or absolute timeout sess can still tell the holder of the credential
   * that the session timed out (`ERR_SESS_EXPIRED`) rather than that it is unknown: the store keeps
   * the expired record, hidden, this long (stores without `getExpired` keep nothing). `false` keeps
   * nothing. @default '1d'
   */
  timeoutNotice?: Duration | false;
  /**
   * Binding checks against the device the session was created on. Database and hybrid compare
   * with the session record on every request; jwt compares the access token's `bnd` claim (keyed
   * hashes of the device's User-Agent and IP) on every request and the record at every refresh.
   * @default { userAgent: 'off', ip: 'off' }
   */
  binding?: { userAgent?: BindingPolicy; ip?: BindingPolicy };
  /** Touch (store write) only when this fraction of the idle timeout has passed since the last one. @default 0.1 */
  touchFraction?: number;
  /** Per-process revocation cache. */
  revocation?: {
    /** How stale a cached "not revoked" answer may be; `0` asks the store every time. Broadcasts from the store apply at once. @default '5s' */
    staleness?: Duration;
    /** Maximum cached entries. @default 10000 */
    maxEntries?: number;
    /**
     * Keep a local replica of every revocation that can still refuse something (deny entries,
     * watermarks younger than an access token's or a session's lifetime): loaded from the store,
     * fed by its broadcast, polled every half staleness, so revocation is checked with no store
     * call at any number of users (jwt: none at all; database and hybrid: the record read alone).
     * When the last sync is older than `staleness`, validation asks the store again (a 503 if it
     * is down). Needs a store with `recentRevocations` and a staleness above 0; `true` without
     * them is a `ConfigError`.
     * @default true where it can hold, else false
     */
    replica?: boolean;
  };
  /** Cookie names and attributes. */
  cookies?: CookieConfig;
  /**
   * CSRF protection (`sess.csrf`), keyed from `secret`. Required by the framework bindings for
   * cookie-authenticated requests; leave it out only when no browser talks to this server.
   */
  csrf?: CsrfOptions;
  /** The time source. @default systemClock */
  clock?: Clock;
  /** Anomaly signals (`security.anomaly` events); off unless given. */
  anomalies?: AnomalyOptions;
  /** Guest sessions (before login, with app data); off unless given. Needs `csrf`. */
  guest?: GuestOptions;
  /** Where sess logs (ids and codes only). @default defaultLogger */
  logger?: Logger;
}

/** The validated, normalised configuration. */
export interface ResolvedConfig {
  store: SessionStore;
  strategy: Strategy;
  secrets: Uint8Array[];
  classes: Map<string, ResolvedSessionClass>;
  jwt: ResolvedJwt | null;
  reuseWindowMs: number;
  maxSessions: { limit: number; policy: 'evict-oldest' | 'reject' } | null;
  binding: { userAgent: BindingPolicy; ip: BindingPolicy };
  anomalies: ResolvedAnomalies;
  guest: ResolvedGuest | null;
  touchFraction: number;
  stalenessMs: number;
  maxCacheEntries: number;
  replica: boolean;
  cookies: ResolvedCookies;
  csrf: CsrfOptions | null;
  clock: Clock;
  logger: Logger | null;
}

// Every option name of every level. `satisfies` makes a new option a compile error until it is
// listed here, instead of an option refused at run time (or, before, silently ignored).
type Nested<K extends keyof SessionManagerOptions> = NonNullable<SessionManagerOptions[K]>;
const TOP_KEYS = {
  store: true,
  strategy: true,
  preset: true,
  secret: true,
  sessions: true,
  jwt: true,
  refresh: true,
  maxSessionsPerUser: true,
  binding: true,
  touchFraction: true,
  revocation: true,
  cookies: true,
  csrf: true,
  clock: true,
  logger: true,
  timeoutNotice: true,
  anomalies: true,
  guest: true,
} as const satisfies KnownOptions<SessionManagerOptions>;
const CLASS_KEYS = {
  idleTimeout: true,
  absoluteTimeout: true,
  renewalInterval: true,
  persistent: true,
} as const satisfies KnownOptions<SessionClassOptions>;
const JWT_KEYS = {
  keys: true,
  issuer: true,
  audience: true,
  accessTokenTtl: true,
  clockSkew: true,
  maxTokenLength: true,
  customClaims: true,
  tokenCacheSize: true,
  claims: true,
} as const satisfies KnownOptions<JwtOptions>;
const NESTED_KEYS = {
  refresh: { reuseWindow: true } satisfies KnownOptions<Nested<'refresh'>>,
  maxSessionsPerUser: { limit: true, policy: true } satisfies KnownOptions<
    Nested<'maxSessionsPerUser'>
  >,
  binding: { userAgent: true, ip: true } satisfies KnownOptions<Nested<'binding'>>,
  revocation: { staleness: true, maxEntries: true, replica: true } satisfies KnownOptions<
    Nested<'revocation'>
  >,
  jwt: JWT_KEYS,
} as const;

/** The unknown keys of every level `resolveConfig` reads itself (cookies and csrf check their own). */
function unknownKeys(options: SessionManagerOptions): string[] {
  const issues = unknownOptionIssues(options, TOP_KEYS);
  for (const [path, known] of Object.entries(NESTED_KEYS)) {
    issues.push(...unknownOptionIssues(options[path as keyof typeof NESTED_KEYS], known, { path }));
  }
  const sessions: unknown = options.sessions;
  if (sessions !== undefined && (sessions === null || typeof sessions !== 'object')) {
    issues.push('sessions: must be an object of session classes');
  } else {
    for (const [name, value] of Object.entries(sessions ?? {})) {
      issues.push(...unknownOptionIssues(value, CLASS_KEYS, { path: `sessions.${name}` }));
    }
  }
  return issues;
}

const STRATEGIES: readonly Strategy[] = ['database', 'jwt', 'hybrid'];
const POLICIES: readonly BindingPolicy[] = ['off', 'event', 'revoke'];

/** Validates options once and lists every problem in one {@link ConfigError}. */
export function resolveConfig(options: SessionManagerOptions): ResolvedConfig {
  const issues: string[] = [];
  const duration = (value: unknown, name: string, fallback: Duration): number => {
    const ms = parseDuration(value ?? fallback);
    if (ms === null) {
      issues.push(`${name}: not a valid duration`);
      return 0;
    }
    return ms;
  };

  if (!options || typeof options !== 'object')
    throw new ConfigError(['options: an object is required']);
  issues.push(...unknownKeys(options));
  const store = options.store;
  if (!store || typeof store.get !== 'function' || typeof store.update !== 'function') {
    issues.push('store: a SessionStore is required (there is no implicit in-memory default)');
  }
  const strategy = options.strategy ?? 'database';
  if (!STRATEGIES.includes(strategy))
    issues.push(`strategy: must be one of ${STRATEGIES.join(', ')}`);
  // Own keys only (`constructor` is no preset), and only strings (a key conversion can throw).
  const preset =
    typeof options.preset === 'string' && Object.hasOwn(PRESETS, options.preset)
      ? PRESETS[options.preset]
      : undefined;
  if (options.preset !== undefined && !preset) issues.push('preset: must be b2b, b2c or internal');

  // Array.from: holes become undefined (refused below) instead of being skipped by map.
  const secretList: readonly unknown[] =
    typeof options.secret === 'string'
      ? [options.secret]
      : Array.isArray(options.secret)
        ? Array.from(options.secret)
        : [];
  if (secretList.length === 0) {
    issues.push(
      options.secret === undefined || Array.isArray(options.secret)
        ? 'secret: required'
        : 'secret: must be a string or an array of strings',
    );
  }
  const secrets = secretList.map((secret, i) => {
    const name = secretList.length > 1 ? `secret[${i}]` : 'secret';
    if (typeof secret !== 'string') {
      issues.push(`${name}: must be a string`);
      return new Uint8Array(0);
    }
    const bytes = utf8Encoder.encode(secret);
    if (bytes.length < 32) issues.push(`${name}: must be at least 32 bytes (got ${bytes.length})`);
    else {
      const weak = weakSecretReason(bytes);
      if (weak) issues.push(`${name}: guessable (${weak}); use at least 32 random bytes`);
    }
    return bytes;
  });

  const noticeMs =
    options.timeoutNotice === false ? 0 : duration(options.timeoutNotice, 'timeoutNotice', '1d');
  const classes = resolveClasses(options.sessions, preset, noticeMs, duration, issues);
  const required =
    strategy === 'database' ? null : STRATEGIES.includes(strategy) ? `the ${strategy}` : 'this';
  const jwt =
    strategy !== 'database' || options.jwt
      ? resolveJwt(options.jwt, required, preset?.accessTokenTtl, duration, issues)
      : null;

  const reuseWindowMs = duration(options.refresh?.reuseWindow, 'refresh.reuseWindow', '10s');
  if (reuseWindowMs > 60_000)
    issues.push(
      'refresh.reuseWindow: must not exceed 60s (a longer window lets a thief share the session)',
    );

  let maxSessions: ResolvedConfig['maxSessions'] = null;
  if (options.maxSessionsPerUser) {
    const { limit, policy = 'evict-oldest' } = options.maxSessionsPerUser;
    if (!Number.isInteger(limit) || limit < 1)
      issues.push('maxSessionsPerUser.limit: must be a positive integer');
    if (policy !== 'evict-oldest' && policy !== 'reject')
      issues.push('maxSessionsPerUser.policy: must be evict-oldest or reject');
    maxSessions = { limit, policy };
    if (store && typeof store.createCapped !== 'function') {
      issues.push(
        `maxSessionsPerUser: the ${String(store.name)} store has no createCapped, so the cap could not hold under concurrent logins`,
      );
    }
  }

  const anomalies = resolveAnomalies(options.anomalies, issues);
  const guest = resolveGuest(
    options.guest,
    { csrf: options.csrf !== undefined, sessions: options.sessions },
    duration,
    issues,
  );
  if (guest) classes.set(GUEST_CLASS, guest.cls);
  const binding = {
    userAgent: options.binding?.userAgent ?? 'off',
    ip: options.binding?.ip ?? 'off',
  };
  for (const [name, value] of Object.entries(binding)) {
    if (!POLICIES.includes(value)) issues.push(`binding.${name}: must be off, event or revoke`);
  }

  const touchFraction = options.touchFraction ?? 0.1;
  if (typeof touchFraction !== 'number' || !(touchFraction >= 0 && touchFraction < 1)) {
    issues.push('touchFraction: must be in [0, 1)');
  }
  const stalenessMs = duration(options.revocation?.staleness, 'revocation.staleness', '5s');
  const maxCacheEntries = options.revocation?.maxEntries ?? 10_000;
  if (!Number.isInteger(maxCacheEntries) || maxCacheEntries < 1)
    issues.push('revocation.maxEntries: must be a positive integer');
  const replica = resolveReplica(options.revocation?.replica, store, stalenessMs, issues);

  const cookies = resolveCookieConfig(options.cookies ?? {});
  issues.push(...cookies.issues.map((i) => `cookies: ${i}`));
  if (options.csrf !== undefined) {
    issues.push(
      ...resolveCsrfConfig(options.csrf).issues.map((i) =>
        i.includes(':') ? `csrf.${i}` : `csrf: ${i}`,
      ),
    );
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    store,
    strategy,
    secrets,
    classes,
    jwt,
    reuseWindowMs,
    maxSessions,
    binding,
    anomalies,
    guest,
    touchFraction,
    stalenessMs,
    maxCacheEntries,
    replica,
    cookies: cookies.value,
    csrf: options.csrf ?? null,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? null,
  };
}

/** Whether to keep a revocation replica: where it can hold unless refused; `true` where it cannot is an issue. */
function resolveReplica(
  option: boolean | undefined,
  store: SessionStore,
  stalenessMs: number,
  issues: string[],
): boolean {
  const blockers = [
    typeof store?.recentRevocations !== 'function' && 'the store has no recentRevocations',
    stalenessMs === 0 && 'revocation.staleness 0 asks the store every time',
  ].filter((b): b is string => typeof b === 'string');
  if (option === undefined) return blockers.length === 0;
  if (typeof option !== 'boolean') issues.push('revocation.replica: must be true or false');
  else if (option) for (const b of blockers) issues.push(`revocation.replica: ${b}`);
  return option === true && blockers.length === 0;
}
