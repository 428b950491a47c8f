import type { CsrfFailureReason } from './errors.ts';

/** Why a session ended. */
export type RevokeReason =
  | 'logout'
  | 'user'
  | 'everything'
  | 'reuse'
  | 'binding'
  | 'evicted'
  | 'regenerated'
  | 'admin';

/** Why a login was refused, as the app's verifier reports it (a fixed vocabulary, never free text). */
export type LoginFailureReason =
  | 'invalid-credentials'
  | 'unknown-account'
  | 'bad-password'
  | 'locked'
  | 'disabled'
  | 'other';

/**
 * Every event sess emits and its payload. Payloads carry public handles (session ids, user ids),
 * never a secret, token or cookie value.
 */
export interface SessEventMap {
  'session.created': { sessionId: string; userId: string; sessionClass: string };
  'session.refreshed': { sessionId: string; userId: string; generation: number; retry: boolean };
  'session.revoked': {
    sessionId: string | null;
    userId: string | null;
    reason: RevokeReason;
    /** The session's age when it ended, in milliseconds, when its record was at hand. */
    durationMs?: number;
  };
  /** A session that timed out was presented (once per session per process). */
  'session.expired': {
    sessionId: string;
    userId: string;
    limit: 'idle' | 'absolute';
    /** From creation to the deadline it missed, in milliseconds. */
    durationMs: number;
  };
  'refresh.reused': { sessionId: string; userId: string };
  'csrf.rejected': { reason: CsrfFailureReason; method: string };
  'session.anomaly': {
    sessionId: string;
    userId: string;
    kind: 'user-agent' | 'ip';
    action: 'event' | 'revoke';
  };
  'revocation.published': { kind: 'deny' | 'not-before'; scope: string };
  /**
   * A login the app's verifier refused. `account` is a keyed hash of the account name the app
   * reported (stable per server secret, so bursts can be correlated; never the name itself).
   */
  'login.failed': { reason: LoginFailureReason; account: string | null; ip: string | null };
  /** A credential or token that was presented and refused (401), by error code and reason. */
  'credential.refused': {
    code: string;
    reason: string | null;
    via: 'cookie' | 'bearer' | 'refresh';
  };
  /** A rate limit ran out; `route` is the name given to the limiter (bounded), else `default`. */
  'ratelimit.exceeded': { route: string };
  /**
   * A pattern worth a look (the `anomalies` option; off by default): a burst of failed logins
   * against one account or from one IP, one user logging in from many IPs, refresh-token reuse.
   * `subject` is the hashed account, the IP, the user id or the session id: log it, never use it
   * as a metric label.
   */
  'security.anomaly': {
    kind: 'failed-login-burst' | 'distinct-ip-burst' | 'refresh-reuse';
    scope: 'account' | 'ip' | 'user' | 'session';
    subject: string;
    count: number;
    windowMs: number;
  };
}

/** The name of an event. */
export type SessEventName = keyof SessEventMap;

/** A listener for one event. */
export type SessEventListener<E extends SessEventName> = (payload: SessEventMap[E]) => void;

/** Store-call latency figures for one store operation. */
export interface StoreCallMetrics {
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

/** Durations of the sessions that ended by a timeout, in milliseconds. */
export interface DurationMetrics {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** A point-in-time snapshot returned by `metrics()`. */
export interface MetricsSnapshot {
  /** How many times each event was emitted since start. */
  events: Record<SessEventName, number>;
  /**
   * The same counts split by their label: `session.revoked` and `login.failed` by reason,
   * `session.expired` by limit, `credential.refused` by code, `csrf.rejected` by reason,
   * `session.anomaly` by kind, `ratelimit.exceeded` by route.
   */
  labels: Partial<Record<SessEventName, Record<string, number>>>;
  /** How long the sessions that timed out had lived. */
  expiredDurations: DurationMetrics;
  /** Latency and error counts per store operation. */
  store: Record<string, StoreCallMetrics>;
  /** Entries held by the per-process revocation cache (its replica included). */
  revocationCacheSize: number;
  /** The per-process caches of the hot path, for hit rates. */
  caches: CacheMetrics;
}

/** Counters of the per-process caches (`metrics().caches`). */
export interface CacheMetrics {
  /** The verified access-token cache (jwt, hybrid): hits skip signature and claim checks. */
  accessTokens: { hits: number; misses: number; size: number };
  /**
   * The revocation replica (`revocation.replica`): entries held, and when its last successful
   * sync started (epoch ms; null before the first, or without a replica).
   */
  revocationReplica: { size: number; syncedAt: number | null };
}

/**
 * A logger sess writes to: `console` fits as is; pino and bunyan take `(fields, message)`, so wrap
 * them (`{ info: (m, f) => log.info(f, m), ... }`). Fields hold public
 * handles and codes only: secrets are redacted by construction because they are never passed.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** A logger that discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The logger used when none is given: warnings and errors (a store outage, refresh-token reuse, a
 * device anomaly) on `console.error`, one line each with their fields as JSON; nothing below.
 * Pass `silentLogger` to turn even those off.
 */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, fields) => console.error(line('warn', message, fields)),
  error: (message, fields) => console.error(line('error', message, fields)),
};

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  return `sess ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
}

const EVENT_NAMES: readonly SessEventName[] = [
  'session.created',
  'session.refreshed',
  'session.revoked',
  'session.expired',
  'refresh.reused',
  'csrf.rejected',
  'session.anomaly',
  'revocation.published',
  'login.failed',
  'credential.refused',
  'ratelimit.exceeded',
  'security.anomaly',
];

/** The payload field each labelled event is split by in `metrics().labels`. */
const LABELS: Partial<Record<SessEventName, string>> = {
  'session.revoked': 'reason',
  'session.expired': 'limit',
  'login.failed': 'reason',
  'credential.refused': 'code',
  'csrf.rejected': 'reason',
  'session.anomaly': 'kind',
  'ratelimit.exceeded': 'route',
  'security.anomaly': 'kind',
};
/** Distinct label values kept per event; any further value counts as `other` (bounded cardinality). */
const MAX_LABELS = 32;

/**
 * Authentication events an operator wants in the log at `info` (OWASP's logging cheat sheet: log
 * authentication failures and session ends); everything else is `debug`.
 */
const LEVELS: Partial<Record<SessEventName, 'info' | 'warn'>> = {
  'login.failed': 'info',
  'credential.refused': 'info',
  'ratelimit.exceeded': 'info',
  'session.expired': 'info',
  'session.revoked': 'info',
  'session.anomaly': 'warn',
  'refresh.reused': 'warn',
  'csrf.rejected': 'info',
  'security.anomaly': 'warn',
};

/** Typed event fan-out plus the counters behind `metrics()`. A throwing listener is logged, never rethrown. */
export class EventHub {
  readonly #listeners = new Map<SessEventName, Set<(payload: never) => void>>();
  readonly #counts = Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])) as Record<
    SessEventName,
    number
  >;
  readonly #labels: Partial<Record<SessEventName, Record<string, number>>> = {};
  readonly #durations: DurationMetrics = { count: 0, totalMs: 0, maxMs: 0 };
  readonly #store: Record<string, StoreCallMetrics> = {};
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  on<E extends SessEventName>(name: E, listener: SessEventListener<E>): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends SessEventName>(name: E, payload: SessEventMap[E]): void {
    this.#counts[name]++;
    this.#count(name, payload);
    this.#logger[LEVELS[name] ?? 'debug'](name, payload);
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as SessEventListener<E>)(payload);
      } catch (error) {
        this.#logger.error('event listener threw', { event: name, error: errorName(error) });
      }
    }
  }

  #count<E extends SessEventName>(name: E, payload: SessEventMap[E]): void {
    const field = LABELS[name];
    if (field !== undefined) {
      const counts: Record<string, number> = this.#labels[name] ?? {};
      this.#labels[name] = counts;
      const value = String((payload as Record<string, unknown>)[field]);
      const label = value in counts || Object.keys(counts).length < MAX_LABELS ? value : 'other';
      counts[label] = (counts[label] ?? 0) + 1;
    }
    if (name === 'session.expired') {
      const ms = (payload as SessEventMap['session.expired']).durationMs;
      const d = this.#durations;
      d.count++;
      d.totalMs += ms;
      if (ms > d.maxMs) d.maxMs = ms;
    }
  }

  recordStoreCall(operation: string, ms: number, failed: boolean): void {
    const m = this.#store[operation] ?? { calls: 0, errors: 0, totalMs: 0, maxMs: 0 };
    this.#store[operation] = m;
    m.calls++;
    if (failed) m.errors++;
    m.totalMs += ms;
    if (ms > m.maxMs) m.maxMs = ms;
  }

  snapshot(revocationCacheSize: number, caches: CacheMetrics): MetricsSnapshot {
    const store: Record<string, StoreCallMetrics> = {};
    for (const [op, m] of Object.entries(this.#store)) store[op] = { ...m };
    const labels: MetricsSnapshot['labels'] = {};
    for (const [name, counts] of Object.entries(this.#labels)) {
      labels[name as SessEventName] = { ...counts };
    }
    return {
      events: { ...this.#counts },
      labels,
      expiredDurations: { ...this.#durations },
      store,
      revocationCacheSize,
      caches,
    };
  }
}

/** The class name or code of a thrown value: safe to log (never its message, which may echo input). */
export function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return typeof error;
}
