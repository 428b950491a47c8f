import {
  type Attributes,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  ConfigError,
  type SessionStore,
  STORE_OPERATIONS,
  type StoreOperation,
  wrapStore,
} from '@sess/core';
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
  const instruments = new Map<StoreOperation, Instruments>();
  for (const operation of STORE_OPERATIONS) {
    if (typeof store[operation] === 'function') {
      instruments.set(operation, instrumentsOf(store.name, operation, system));
    }
  }
  return wrapStore(store, function instrumentedStoreCall(operation, _args, call) {
    return measured(instruments.get(operation)!, histogram, tracer, call);
  });
}

/** What one operation records, computed once: its span name and options, its frozen attributes. */
interface Instruments {
  readonly spanName: string;
  readonly spanOptions: SpanOptions;
  readonly ok: Attributes;
  failed(type: string): Attributes;
}

function instrumentsOf(storeName: string, operation: StoreOperation, system: string): Instruments {
  const base = { [ATTR.operation]: operation, [ATTR.dbSystem]: system };
  const errors = new Map<string, Attributes>();
  return {
    spanName: `sess.store.${operation}`,
    spanOptions: {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.dbSystem]: system,
        [ATTR.dbOperation]: operation,
        [ATTR.storeName]: storeName,
      },
    },
    ok: Object.freeze({ ...base, [ATTR.storeOutcome]: 'ok' }),
    failed(type) {
      let attributes = errors.get(type);
      if (attributes === undefined) {
        attributes = Object.freeze({
          ...base,
          [ATTR.storeOutcome]: 'error',
          [ATTR.errorType]: type,
        });
        if (errors.size < 32) errors.set(type, attributes);
      }
      return attributes;
    },
  };
}

async function measured<T>(
  instruments: Instruments,
  histogram: Histogram,
  tracer: Tracer | null,
  call: () => Promise<T>,
): Promise<T> {
  const span: Span | null = tracer
    ? tracer.startSpan(instruments.spanName, instruments.spanOptions)
    : null;
  const started = performance.now();
  try {
    const result = await call();
    histogram.record((performance.now() - started) / 1000, instruments.ok);
    span?.end();
    return result;
  } catch (error) {
    const type = errorType(error);
    histogram.record((performance.now() - started) / 1000, instruments.failed(type));
    if (span) {
      span.setAttribute(ATTR.errorType, type);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    throw error;
  }
}
