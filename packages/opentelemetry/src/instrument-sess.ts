import {
  type Attributes,
  type Counter,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableCallback,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  type Clock,
  ConfigError,
  type Duration,
  parseDuration,
  type SessEventMap,
  type SessEventName,
  type SessionManager,
  type SessionStore,
  systemClock,
} from '@sess/core';
import { AttributeCache } from './bounded.ts';
import { ATTR, METRICS, SCOPE } from './names.ts';
import { wrapLifecycle } from './spans.ts';

/** Options of {@link instrumentSess}. */
export interface InstrumentSessOptions {
  /** Where the counters, histograms and the gauge go. @default the global MeterProvider */
  meterProvider?: MeterProvider;
  /** Where the lifecycle spans go. @default the global TracerProvider */
  tracerProvider?: TracerProvider;
  /**
   * The store to count active sessions in (`store.stats()`), for the `sess.sessions.active`
   * gauge. Without it, or when the store has no `stats`, there is no gauge. Pass the same store
   * the manager uses (instrumented or not).
   */
  store?: SessionStore;
  /**
   * How long one `store.stats()` answer is reused: stats may scan the whole store, so however
   * often the gauge is collected, the store is asked at most once per interval (a failed ask
   * too: nothing is observed until the next one succeeds; with an instrumented store the failure
   * shows in `sess.store.duration` as operation `stats`, outcome `error`).
   * @default '30s'
   */
  statsInterval?: Duration;
  /** Spans around create, refresh, regenerate, revoke, revokeAllForUser and revokeEverything. @default true */
  spans?: boolean;
  /**
   * A span around every `validate` too. Off by default: validation is the hot path (in the jwt
   * strategy it makes no store call), and with it off, instrumentation adds nothing there.
   * @default false
   */
  traceValidate?: boolean;
  /** The clock of the stats cache. @default systemClock */
  clock?: Clock;
}

/** What {@link instrumentSess} returns. */
export interface SessInstrumentation {
  /** Removes the listeners, the gauge callback and the span wrappers. Idempotent. */
  stop(): void;
}

const KNOWN = new Set([
  'meterProvider',
  'tracerProvider',
  'store',
  'statsInterval',
  'spans',
  'traceValidate',
  'clock',
]);
const instrumented = new WeakSet<SessionManager>();

/**
 * Wires a session manager to the OpenTelemetry API: counters and the session-duration histogram
 * from its events, the active-session gauge from `store.stats()` (at a bounded rate), and spans
 * around its lifecycle operations. Metric attributes hold reasons, codes and kinds only, from
 * bounded vocabularies (never a session id, user id, IP, account, token or cookie); spans hold
 * no id either. Works with any SDK and exporter the app registers. Options are checked here.
 *
 * Spans are added by wrapping the manager's methods on the instance (as every OpenTelemetry
 * instrumentation does), so bindings created before or after this call are traced alike;
 * `stop()` restores them.
 *
 * @example
 * ```ts
 * import { instrumentSess, instrumentStore } from '@sess/opentelemetry';
 *
 * const store = instrumentStore(redisStore({ url }));
 * const sess = createSessionManager({ store, secret });
 * instrumentSess(sess, { store });
 * ```
 */
export function instrumentSess(
  sess: SessionManager,
  options: InstrumentSessOptions = {},
): SessInstrumentation {
  const intervalMs = checkOptions(sess, options);
  instrumented.add(sess);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const stops: (() => void)[] = [() => instrumented.delete(sess)];
  stops.push(...countEvents(sess, meter));
  const gauge = activeSessions(meter, options.store, intervalMs, options.clock ?? systemClock);
  if (gauge) stops.push(gauge);
  if (options.spans !== false || options.traceValidate === true) {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
    stops.push(
      wrapLifecycle(sess, tracer, {
        lifecycle: options.spans !== false,
        validate: options.traceValidate === true,
      }),
    );
  }
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) stop();
    },
  };
}

function checkOptions(sess: SessionManager, options: InstrumentSessOptions): number {
  const problems = Object.keys(options)
    .filter((key) => !KNOWN.has(key))
    .map((key) => `instrumentSess: unknown option "${key}"`);
  if (instrumented.has(sess)) {
    problems.push('instrumentSess: this manager is already instrumented (stop() that first)');
  }
  const intervalMs = parseDuration(options.statsInterval ?? '30s');
  if (intervalMs === null || intervalMs <= 0) {
    problems.push('instrumentSess: statsInterval must be a positive duration');
  }
  if (options.store !== undefined && typeof options.store?.stats !== 'function') {
    problems.push(
      'instrumentSess: store has no stats(), so it cannot feed the active-session gauge',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return intervalMs!;
}

type Listen = <E extends SessEventName>(
  name: E,
  counter: Counter | null,
  attributes: (payload: SessEventMap[E]) => Attributes,
  also?: (payload: SessEventMap[E]) => void,
) => void;

/** One counter per event, plus the duration histogram; returns the unsubscribe functions. */
function countEvents(sess: SessionManager, meter: Meter): (() => void)[] {
  const stops: (() => void)[] = [];
  const counter = (name: string, description: string, unit = '{event}') =>
    meter.createCounter(name, { description, unit });
  const listen: Listen = (name, c, attributes, also) => {
    stops.push(
      sess.on(name, (payload) => {
        c?.add(1, attributes(payload));
        also?.(payload);
      }),
    );
  };
  const none: Attributes = Object.freeze({});
  const durations = meter.createHistogram(METRICS.duration, {
    description:
      'How long sessions lived, recorded when they end (a timeout, or a revocation of a known session).',
    unit: 's',
    advice: {
      explicitBucketBoundaries: [
        60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200, 604_800, 2_592_000,
      ],
    },
  });
  const ends = new AttributeCache([ATTR.endReason]);

  const created = new AttributeCache([ATTR.sessionClass]);
  listen(
    'session.created',
    counter(METRICS.created, 'Sessions created (logins and regenerations).', '{session}'),
    (p) => created.get(p.sessionClass),
  );
  const refreshed = new AttributeCache([ATTR.retry]);
  listen(
    'session.refreshed',
    counter(
      METRICS.refreshed,
      'Session rotations (refreshes and renewals); retry: a racer got the same successor.',
      '{session}',
    ),
    (p) => refreshed.get(p.retry),
  );
  const revoked = new AttributeCache([ATTR.revokeReason]);
  listen(
    'session.revoked',
    counter(
      METRICS.revoked,
      'Revocations by reason: one per session, or one per user-wide or global revocation.',
      '{revocation}',
    ),
    (p) => revoked.get(p.reason),
    (p) => {
      if (p.durationMs !== undefined) durations.record(p.durationMs / 1000, ends.get(p.reason));
    },
  );
  const expired = new AttributeCache([ATTR.expiryLimit]);
  listen(
    'session.expired',
    counter(
      METRICS.expired,
      'Timed-out sessions presented by their holder, by limit (idle or absolute).',
      '{session}',
    ),
    (p) => expired.get(p.limit),
    (p) => durations.record(p.durationMs / 1000, ends.get(`expired-${p.limit}`)),
  );
  listen(
    'refresh.reused',
    counter(METRICS.reused, 'Refresh-token reuse detected (the session was revoked as stolen).'),
    () => none,
  );
  const failed = new AttributeCache([ATTR.loginReason]);
  listen(
    'login.failed',
    counter(METRICS.loginFailed, 'Logins the verifier refused, by reason.', '{login}'),
    (p) => failed.get(p.reason),
  );
  const refused = new AttributeCache([ATTR.errorType, ATTR.credentialVia]);
  listen(
    'credential.refused',
    counter(
      METRICS.refused,
      'Credentials and tokens refused with a 401, by error code and channel.',
    ),
    (p) => refused.get(p.code, p.via),
  );
  const csrf = new AttributeCache([ATTR.csrfReason, ATTR.httpMethod]);
  listen(
    'csrf.rejected',
    counter(METRICS.csrf, 'Requests refused by CSRF protection (403), by reason.', '{request}'),
    (p) => csrf.get(p.reason, p.method),
  );
  const routes = new AttributeCache([ATTR.route]);
  listen(
    'ratelimit.exceeded',
    counter(
      METRICS.rateLimited,
      'Requests refused by a rate limit (429), by limiter route.',
      '{request}',
    ),
    (p) => routes.get(p.route),
  );
  const anomalies = new AttributeCache([ATTR.anomalyKind, ATTR.anomalyScope]);
  listen(
    'security.anomaly',
    counter(
      METRICS.anomalies,
      'Anomaly signals (failed-login bursts, distinct-IP bursts, refresh reuse), by kind and scope.',
    ),
    (p) => anomalies.get(p.kind, p.scope),
  );
  const devices = new AttributeCache([ATTR.deviceKind, ATTR.deviceAction]);
  listen(
    'session.anomaly',
    counter(
      METRICS.deviceMismatches,
      'Device-binding mismatches (user agent or IP changed), by kind and action.',
    ),
    (p) => devices.get(p.kind, p.action),
  );
  return stops;
}

/** The `sess.sessions.active` gauge; returns its removal, or null without a store. */
function activeSessions(
  meter: Meter,
  store: SessionStore | undefined,
  intervalMs: number,
  clock: Clock,
): (() => void) | null {
  const stats = store?.stats?.bind(store);
  if (!stats) return null;
  const gauge = meter.createObservableGauge(METRICS.active, {
    description: `Live session records in the store (store.stats(), refreshed at most every ${intervalMs / 1000} s).`,
    unit: '{session}',
  });
  let value: number | null = null;
  let askedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | null = null;
  const ask = (now: number): Promise<void> => {
    askedAt = now;
    pending ??= stats(now, { expiringBefore: now, topUsers: 0 }).then(
      (answer) => {
        value = answer.sessions;
        pending = null;
      },
      () => {
        value = null; // never report a count that is no longer known
        pending = null;
      },
    );
    return pending;
  };
  const callback: ObservableCallback = async (result) => {
    const now = clock.now();
    if (now - askedAt >= intervalMs) await ask(now);
    else if (pending) await pending;
    if (value !== null) result.observe(value);
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
