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

/**
 * Every event sess emits and its payload. Payloads carry public handles (session ids, user ids),
 * never a secret, token or cookie value.
 */
export interface SessEventMap {
  'session.created': { sessionId: string; userId: string; sessionClass: string };
  'session.refreshed': { sessionId: string; userId: string; generation: number; retry: boolean };
  'session.revoked': { sessionId: string | null; userId: string | null; reason: RevokeReason };
  'session.expired': { sessionId: string; userId: string; limit: 'idle' | 'absolute' };
  'refresh.reused': { sessionId: string; userId: string };
  'csrf.rejected': { reason: CsrfFailureReason; method: string };
  'session.anomaly': {
    sessionId: string;
    userId: string;
    kind: 'user-agent' | 'ip';
    action: 'event' | 'revoke';
  };
  'revocation.published': { kind: 'deny' | 'not-before'; scope: string };
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

/** A point-in-time snapshot returned by `metrics()`. */
export interface MetricsSnapshot {
  /** How many times each event was emitted since start. */
  events: Record<SessEventName, number>;
  /** Latency and error counts per store operation. */
  store: Record<string, StoreCallMetrics>;
  /** Entries held by the per-process revocation cache. */
  revocationCacheSize: number;
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

/** A logger that discards everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

const EVENT_NAMES: readonly SessEventName[] = [
  'session.created',
  'session.refreshed',
  'session.revoked',
  'session.expired',
  'refresh.reused',
  'csrf.rejected',
  'session.anomaly',
  'revocation.published',
];

/** Typed event fan-out plus the counters behind `metrics()`. A throwing listener is logged, never rethrown. */
export class EventHub {
  readonly #listeners = new Map<SessEventName, Set<(payload: never) => void>>();
  readonly #counts = Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])) as Record<
    SessEventName,
    number
  >;
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
    this.#logger.debug(name, payload);
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

  recordStoreCall(operation: string, ms: number, failed: boolean): void {
    const m = this.#store[operation] ?? { calls: 0, errors: 0, totalMs: 0, maxMs: 0 };
    this.#store[operation] = m;
    m.calls++;
    if (failed) m.errors++;
    m.totalMs += ms;
    if (ms > m.maxMs) m.maxMs = ms;
  }

  snapshot(revocationCacheSize: number): MetricsSnapshot {
    const store: Record<string, StoreCallMetrics> = {};
    for (const [op, m] of Object.entries(this.#store)) store[op] = { ...m };
    return { events: { ...this.#counts }, store, revocationCacheSize };
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
