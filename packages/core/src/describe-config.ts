import type { ResolvedAnomalies } from './anomalies.ts';
import {
  type BindingPolicy,
  resolveConfig,
  type SessionManagerOptions,
  type Strategy,
} from './config.ts';
import type { CookieNames } from './cookies/index.ts';
import { type ResolvedCsrf, resolveCsrfConfig } from './csrf/config.ts';
import type { KeyAlgorithm } from './jwt/key-types.ts';
import type { SessionStore } from './store.ts';

/** One session class as core applies it. */
export interface DescribedSessionClass {
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  /** Null when renewal is off. */
  readonly renewalIntervalMs: number | null;
  /** Whether its cookies outlive the browser session (`Max-Age`). */
  readonly persistent: boolean;
}

/**
 * The configuration core would run with, every preset and default applied: plain data, safe to
 * print. Secrets appear as counts and key ids only.
 */
export interface DescribedConfig {
  readonly strategy: Strategy;
  /** The store's `name`, or null when the options had none. */
  readonly store: string | null;
  /** How many server secrets (the first derives new keys); never their values. */
  readonly secrets: number;
  readonly sessions: Readonly<Record<string, DescribedSessionClass>>;
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlMs: number;
    readonly clockSkewMs: number;
    readonly maxTokenLength: number;
    readonly customClaims: readonly string[];
    readonly tokenCacheSize: number;
    /** Key ids and algorithms, the signing key first; never key material. */
    readonly keys: readonly { readonly kid: string; readonly alg: KeyAlgorithm }[];
  } | null;
  readonly refresh: { readonly reuseWindowMs: number };
  readonly maxSessionsPerUser: { readonly limit: number; readonly policy: string } | null;
  readonly binding: { readonly userAgent: BindingPolicy; readonly ip: BindingPolicy };
  readonly anomalies: ResolvedAnomalies;
  readonly touchFraction: number;
  readonly revocation: {
    readonly stalenessMs: number;
    readonly maxEntries: number;
    /** Whether access tokens are checked against a local replica (no store call per request). */
    readonly replica: boolean;
  };
  readonly timeoutNoticeMs: number;
  readonly cookies: {
    readonly names: Readonly<CookieNames>;
    readonly refreshPath: string;
    readonly secure: boolean;
    readonly sameSite: string;
    readonly domain: string | null;
  };
  readonly csrf: ResolvedCsrf | null;
}

// Stands in for the store when the options have none (a config file checked without a backend):
// configuration is resolved, never run. It has every capability core asks for: the real store is
// checked when the manager is created.
const NO_STORE: SessionStore = Object.freeze({
  name: 'none',
  create: unused,
  get: unused,
  update: unused,
  delete: unused,
  listByUser: unused,
  deleteByUser: unused,
  deny: unused,
  isDenied: unused,
  setNotBefore: unused,
  getNotBefore: unused,
  createCapped: unused,
  recentRevocations: unused,
});

function unused(): Promise<never> {
  return Promise.reject(new Error('describeConfig: no store'));
}

/**
 * Resolves `options` exactly as `createSessionManager` would (the same validation: every problem
 * in one `ConfigError`) and describes the result, with secrets redacted. The store may be left
 * out. Tools (`sess check`, dashboards, a startup log line) read this instead of copying core's
 * defaults.
 *
 * @example
 * ```ts
 * const described = describeConfig({ secret, strategy: 'jwt', jwt: { keys, issuer, audience } });
 * console.log(described.jwt?.accessTokenTtlMs); // 900000
 * ```
 */
export function describeConfig(
  options: Omit<SessionManagerOptions, 'store'> & { store?: SessionStore },
): DescribedConfig {
  const config = resolveConfig({ ...options, store: options.store ?? NO_STORE });
  const jwt = config.jwt;
  const attributes = config.cookies.attributes;
  return {
    strategy: config.strategy,
    store: options.store ? String(options.store.name) : null,
    secrets: config.secrets.length,
    sessions: Object.fromEntries(
      [...config.classes].map(([name, cls]) => [
        name,
        {
          idleTimeoutMs: cls.idleMs,
          absoluteTimeoutMs: cls.absoluteMs,
          renewalIntervalMs: cls.renewalMs,
          persistent: cls.persistent,
        },
      ]),
    ),
    jwt: jwt && {
      issuer: jwt.issuer,
      audience: jwt.audience,
      accessTokenTtlMs: jwt.lifetimeMs,
      clockSkewMs: jwt.clockSkewMs,
      maxTokenLength: jwt.maxTokenLength,
      customClaims: [...jwt.customClaims],
      tokenCacheSize: jwt.tokenCacheSize,
      keys: jwt.keyring.keys.map(({ kid, alg }) => ({ kid, alg })),
    },
    refresh: { reuseWindowMs: config.reuseWindowMs },
    maxSessionsPerUser: config.maxSessions && { ...config.maxSessions },
    binding: { ...config.binding },
    anomalies: config.anomalies,
    touchFraction: config.touchFraction,
    revocation: {
      stalenessMs: config.stalenessMs,
      maxEntries: config.maxCacheEntries,
      replica: config.replica,
    },
    timeoutNoticeMs: config.classes.get('standard')?.noticeMs ?? 0,
    cookies: {
      names: config.cookies.names,
      refreshPath: config.cookies.refreshPath,
      secure: attributes.secure !== false,
      sameSite: String(attributes.sameSite ?? 'lax'),
      domain: attributes.domain ?? null,
    },
    csrf: config.csrf ? resolveCsrfConfig(config.csrf).value : null,
  };
}
