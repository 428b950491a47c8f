import {
  type Attributes,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { SessionStore } from '@sess/core';
import { ConfigError } from '@sess/core';
import { errorType } from './bounded.ts';
import { ATTR, METRICS, SCOPE } from './names.ts';

/** Options of {@link instrumentStore}. */
export interface InstrumentStoreOptions {
  /** Where the latency histogram goes. @default the global MeterProvider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /** Where the store spans go. @default the global TracerProvider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /**
   * The `db.system.name` attribute. @default derived from `store.name`: `postgres` becomes
   * `postgresql` (the semantic-convention value); any other name is used as it is.
   */
  dbSystem?: string;
  /** Open a span per store call. Turn it off to keep only the histogram. @default true */
  spans?: boolean;
}

/**
 * The store methods that are timed. `subscribe` registers a listener (nothing to time) and is
 * passed through; `close` is passed through untimed too.
 */
const TIMED = [
  'create',
  'createCapped',
  'get',
  'getExpired',
  'update',
  'delete',
  'listByUser',
  'deleteByUser',
  'deny',
  'isDenied',
  'setNotBefore',
  'getNotBefore',
  'deleteExpired',
  'stats',
] as const satisfies readonly (keyof SessionStore)[];

const DB_SYSTEMS: Record<string, string> = {
  postgres: 'postgresql',
  postgresql: 'postgresql',
  redis: 'redis',
  sqlite: 'sqlite',
};
const KNOWN = new Set(['meterProvider', 'tracerProvider', 'dbSystem', 'spans']);

/**
 * Wraps a {@link SessionStore} so that every call is timed into the `sess.store.duration`
 * histogram (seconds, by `sess.operation`, `sess.store.outcome` `ok` or `error`, and
 * `db.system.name`) and, unless `spans: false`, runs inside a client span `sess.store.<operation>`.
 * Pass the result to `createSessionManager` instead of the store. The store is not changed; the
 * wrapper has exactly the optional methods the store has, so core sees the same capabilities, and
 * only the contract's members: keep the original for store-specific ones (a Postgres `pool`).
 * Arguments and results are never recorded (they hold session ids, user ids and hashes).
 *
 * @example
 * ```ts
 * const store = instrumentStore(redisStore({ url: process.env.REDIS_URL! }));
 * const sess = createSessionManager({ store, secret });
 * ```
 */
export function instrumentStore(
  store: SessionStore,
  options: InstrumentStoreOptions = {},
): SessionStore {
  const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((key) => `instrumentStore: unknown option "${key}"`));
  }
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer =
    options.spans === false
      ? null
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const histogram = meter.createHistogram(METRICS.storeDuration, {
    description: 'Duration of session store calls, by operation and outcome.',
    unit: 's',
    advice: {
      explicitBucketBoundaries: [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      ],
    },
  });
  const system = options.dbSystem ?? DB_SYSTEMS[store.name] ?? store.name;
  const wrapped: Record<string, unknown> = {
    name: store.name,
    subscribe: store.subscribe?.bind(store),
    close: store.close?.bind(store),
  };
  for (const operation of TIMED) {
    const method = store[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') continue;
    wrapped[operation] = timed(store, method, operation, system, histogram, tracer);
  }
  for (const key of ['subscribe', 'close']) if (wrapped[key] === undefined) delete wrapped[key];
  return wrapped as unknown as SessionStore;
}

function timed(
  store: SessionStore,
  method: (...args: unknown[]) => Promise<unknown>,
  operation: string,
  system: string,
  histogram: Histogram,
  tracer: Tracer | null,
): (...args: unknown[]) => Promise<unknown> {
  const base = { [ATTR.operation]: operation, [ATTR.dbSystem]: system };
  const ok: Attributes = Object.freeze({ ...base, [ATTR.storeOutcome]: 'ok' });
  const errors = new Map<string, Attributes>();
  const failed = (type: string): Attributes => {
    let attributes = errors.get(type);
    if (attributes === undefined) {
      attributes = Object.freeze({ ...base, [ATTR.storeOutcome]: 'error', [ATTR.errorType]: type });
      if (errors.size < 32) errors.set(type, attributes);
    }
    return attributes;
  };
  const spanOptions = {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR.dbSystem]: system,
      [ATTR.dbOperation]: operation,
      [ATTR.storeName]: store.name,
    },
  };
  const spanName = `sess.store.${operation}`;
  return async function instrumentedStoreCall(...args: unknown[]): Promise<unknown> {
    const span: Span | null = tracer ? tracer.startSpan(spanName, spanOptions) : null;
    const started = performance.now();
    try {
      const result = await method.apply(store, args);
      histogram.record((performance.now() - started) / 1000, ok);
      span?.end();
      return result;
    } catch (error) {
      const type = errorType(error);
      histogram.record((performance.now() - started) / 1000, failed(type));
      if (span) {
        span.setAttribute(ATTR.errorType, type);
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      throw error;
    }
  };
}
