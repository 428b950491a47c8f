import { type AnomalyOptions, type ResolvedAnomalies, resolveAnomalies } from './anomalies.ts';
import { type CookieConfig, type ResolvedCookies, resolveCookieConfig } from './cookies/index.ts';
import { type CsrfOptions, resolveCsrfConfig } from './csrf/index.ts';
import { ConfigError } from './errors.ts';
import type { Logger } from './events.ts';
import { type AccessTokenConfig, validateCustomClaims } from './jwt/access-token.ts';
import { createKeyring, type KeyInput, type Keyring } from './jwt/keyring.ts';
import { weakSecretReason } from './jwt/weak-secrets.ts';
import type { Session } from './session.ts';
import type { JsonValue, SessionStore } from './store.ts';
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

/** Ready-made lifetimes following common practice; every value can still be overridden. */
export type Preset = 'b2b' | 'b2c' | 'internal';

/** What to do when a session's user agent or IP changes: nothing, emit `session.anomaly`, or revoke. */
export type BindingPolicy = 'off' | 'event' | 'revoke';

/** The timeouts of one session class. */
export interface SessionClassOptions {
  /** Ends the session after this long without activity. @default '30m' (standard), '14d' (rememberMe) */
  idleTimeout?: Duration;
  /** Ends the session this long after login, whatever happens. @default '8h' (standard), '30d' (rememberMe) */
  absoluteTimeout?: Duration;
  /**
   * Database strategy: rotate the credential after this long (the old one keeps working for the
   * reuse window). `false` turns renewal off. @default '1h'
   */
  renewalInterval?: Duration | false;
  /** Persist cookies across browser restarts (`Max-Age`) instead of browser-session cookies. @default false (standard), true (rememberMe) */
  persistent?: boolean;
}

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
  /** Where sess logs (ids and codes only). @default defaultLogger */
  logger?: Logger;
}

/** Access-token options. */
export interface JwtOptions {
  /** Signing and verification keys; the first signs. */
  keys: readonly KeyInput[];
  /** The `iss` claim written and required. */
  issuer: string;
  /** The `aud` claim written and required. */
  audience: string;
  /** Access-token lifetime. @default '15m' (or the preset's) */
  accessTokenTtl?: Duration;
  /** Tolerated clock skew between servers. @default '30s' */
  clockSkew?: Duration;
  /** Tokens longer than this are refused before any parsing. @default 4096 */
  maxTokenLength?: number;
  /** Names of the extra claims `claims` may add to access tokens; any other name is dropped. @default [] */
  customClaims?: readonly string[];
  /**
   * How many verified access tokens this process remembers, keyed by the exact token: a token
   * seen again skips parsing and the signature check until its `exp`. Entries hold claims and
   * expiry only; the deny-list and watermarks are still checked on every request. `0` turns the
   * cache off.
   * @default 10000
   */
  tokenCacheSize?: number;
  /**
   * Computes the extra claims of each access token from its session (called on create, refresh and
   * regenerate), for example `(s) => ({ role: s.data.role ?? 'user' })`.
   */
  claims?: (session: Session) => Record<string, JsonValue>;
}

/** The timeouts of one session class, in milliseconds. */
export interface ResolvedSessionClass {
  idleMs: number;
  absoluteMs: number;
  renewalMs: number | null;
  persistent: boolean;
  /** How long an expired record is retained for the "timed out" answer (`timeoutNotice`). */
  noticeMs: number;
}

/** The validated, normalised configuration. */
export interface ResolvedConfig {
  store: SessionStore;
  strategy: Strategy;
  secrets: Uint8Array[];
  classes: Map<string, ResolvedSessionClass>;
  jwt:
    | (AccessTokenConfig & {
        keyring: Keyring;
        claims: ((session: Session) => Record<string, JsonValue>) | null;
        tokenCacheSize: number;
      })
    | null;
  reuseWindowMs: number;
  maxSessions: { limit: number; policy: 'evict-oldest' | 'reject' } | null;
  binding: { userAgent: BindingPolicy; ip: BindingPolicy };
  anomalies: ResolvedAnomalies;
  touchFraction: number;
  stalenessMs: number;
  maxCacheEntries: number;
  cookies: ResolvedCookies;
  csrf: CsrfOptions | null;
  clock: Clock;
  logger: Logger | null;
}

const PRESETS: Record<
  Preset,
  { accessTokenTtl: Duration; standard: SessionClassOptions; rememberMe: SessionClassOptions }
> = {
  b2b: {
    accessTokenTtl: '15m',
    standard: { idleTimeout: '1d', absoluteTimeout: '7d' },
    rememberMe: { idleTimeout: '7d', absoluteTimeout: '7d' },
  },
  b2c: {
    accessTokenTtl: '1h',
    standard: { idleTimeout: '7d', absoluteTimeout: '30d' },
    rememberMe: { idleTimeout: '30d', absoluteTimeout: '30d' },
  },
  internal: {
    accessTokenTtl: '8h',
    standard: { idleTimeout: '7d', absoluteTimeout: '90d' },
    rememberMe: { idleTimeout: '90d', absoluteTimeout: '90d' },
  },
};

const DEFAULT_CLASSES: Record<string, SessionClassOptions> = {
  standard: { idleTimeout: '30m', absoluteTimeout: '8h', renewalInterval: '1h', persistent: false },
  rememberMe: {
    idleTimeout: '14d',
    absoluteTimeout: '30d',
    renewalInterval: '1h',
    persistent: true,
  },
};

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
  revocation: { staleness: true, maxEntries: true } satisfies KnownOptions<Nested<'revocation'>>,
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
  const classes = new Map<string, ResolvedSessionClass>();
  const classOptions: Record<string, SessionClassOptions> = {
    standard: { ...DEFAULT_CLASSES.standard, ...preset?.standard, ...options.sessions?.standard },
    rememberMe: {
      ...DEFAULT_CLASSES.rememberMe,
      ...preset?.rememberMe,
      ...options.sessions?.rememberMe,
    },
  };
  for (const [name, value] of Object.entries(options.sessions ?? {})) {
    if (!(name in classOptions)) classOptions[name] = { ...DEFAULT_CLASSES.standard, ...value };
  }
  for (const [name, value] of Object.entries(classOptions)) {
    const prefix = `sessions.${name}`;
    const idleMs = duration(value.idleTimeout, `${prefix}.idleTimeout`, '30m');
    const absoluteMs = duration(value.absoluteTimeout, `${prefix}.absoluteTimeout`, '8h');
    const renewalMs =
      value.renewalInterval === false
        ? null
        : duration(value.renewalInterval, `${prefix}.renewalInterval`, '1h');
    if (idleMs <= 0) issues.push(`${prefix}.idleTimeout: must be positive`);
    if (absoluteMs < idleMs)
      issues.push(`${prefix}.absoluteTimeout: must not be shorter than idleTimeout`);
    classes.set(name, {
      idleMs,
      absoluteMs,
      renewalMs,
      persistent: value.persistent ?? false,
      noticeMs,
    });
  }

  let jwt: ResolvedConfig['jwt'] = null;
  if (strategy !== 'database' || options.jwt) {
    const o = options.jwt;
    if (!o) {
      const named = STRATEGIES.includes(strategy) ? `the ${strategy}` : 'this';
      issues.push(`jwt: required for ${named} strategy (keys, issuer, audience)`);
    } else {
      let keyring: Keyring | null = null;
      try {
        keyring = createKeyring(o.keys ?? []);
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues.map((i) => `jwt.keys: ${i}`));
        else throw error;
      }
      if (typeof o.issuer !== 'string' || o.issuer === '') issues.push('jwt.issuer: required');
      if (typeof o.audience !== 'string' || o.audience === '')
        issues.push('jwt.audience: required');
      const tokens: AccessTokenConfig = {
        issuer: o.issuer,
        audience: o.audience,
        lifetimeMs: duration(
          o.accessTokenTtl,
          'jwt.accessTokenTtl',
          preset?.accessTokenTtl ?? '15m',
        ),
        clockSkewMs: duration(o.clockSkew, 'jwt.clockSkew', '30s'),
        maxTokenLength: o.maxTokenLength ?? 4096,
        // A non-array is left for validateCustomClaims to report (spreading it would throw).
        customClaims: Array.isArray(o.customClaims)
          ? [...o.customClaims]
          : ((o.customClaims ?? []) as string[]),
      };
      if (tokens.lifetimeMs < 1000 || tokens.lifetimeMs > 86_400_000) {
        issues.push('jwt.accessTokenTtl: must be between 1s and 24h');
      }
      if (tokens.clockSkewMs > 300_000) issues.push('jwt.clockSkew: must not exceed 5m');
      if (
        !Number.isInteger(tokens.maxTokenLength) ||
        tokens.maxTokenLength < 256 ||
        tokens.maxTokenLength > 65_536
      ) {
        issues.push('jwt.maxTokenLength: must be an integer from 256 to 65536');
      }
      issues.push(
        ...validateCustomClaims(tokens.customClaims).map((i) => `jwt.customClaims: ${i}`),
      );
      const tokenCacheSize = o.tokenCacheSize ?? 10_000;
      if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0 || tokenCacheSize > 1_000_000) {
        issues.push('jwt.tokenCacheSize: must be an integer from 0 to 1000000');
      }
      if (keyring) {
        jwt = { ...tokens, keyring, claims: o.claims ?? null, tokenCacheSize };
      }
    }
  }

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
    touchFraction,
    stalenessMs,
    maxCacheEntries,
    cookies: cookies.value,
    csrf: options.csrf ?? null,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? null,
  };
}
