/**
 * Every instrument and attribute name this package uses. Metric names follow OpenTelemetry's
 * naming rules (dotted, unit in `unit`, not in the name); a Prometheus exporter turns
 * `sess.sessions.created` into `sess_sessions_created_total` and `sess.store.duration` into
 * `sess_store_duration_seconds`.
 */
export const METRICS = {
  created: 'sess.sessions.created',
  refreshed: 'sess.sessions.refreshed',
  revoked: 'sess.sessions.revoked',
  expired: 'sess.sessions.expired',
  reused: 'sess.refresh.reused',
  loginFailed: 'sess.logins.failed',
  refused: 'sess.credentials.refused',
  csrf: 'sess.csrf.rejected',
  rateLimited: 'sess.ratelimit.exceeded',
  anomalies: 'sess.anomalies',
  deviceMismatches: 'sess.device.mismatches',
  duration: 'sess.session.duration',
  storeDuration: 'sess.store.duration',
  active: 'sess.sessions.active',
} as const;

/** Attribute keys: sess's own under `sess.*`, OpenTelemetry's semantic conventions elsewhere. */
export const ATTR = {
  sessionClass: 'sess.session.class',
  retry: 'sess.refresh.retry',
  revokeReason: 'sess.revoke.reason',
  expiryLimit: 'sess.expiry.limit',
  endReason: 'sess.session.end_reason',
  loginReason: 'sess.login.failure_reason',
  credentialVia: 'sess.credential.via',
  csrfReason: 'sess.csrf.reason',
  route: 'sess.ratelimit.route',
  anomalyKind: 'sess.anomaly.kind',
  anomalyScope: 'sess.anomaly.scope',
  deviceKind: 'sess.device.kind',
  deviceAction: 'sess.device.action',
  strategy: 'sess.strategy',
  operation: 'sess.operation',
  storeName: 'sess.store.name',
  storeOutcome: 'sess.store.outcome',
  exceptCount: 'sess.revoke.except_count',
  // OpenTelemetry semantic conventions.
  errorType: 'error.type',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  httpMethod: 'http.request.method',
} as const;

/** The instrumentation scope every meter and tracer of this package is created under. */
export const SCOPE = '@sess/opentelemetry';
