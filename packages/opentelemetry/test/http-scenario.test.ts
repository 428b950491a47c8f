import { createSessionManager, type SessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { createAuth } from '@sess/express';
import express from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentSess, instrumentStore } from '../src/index.ts';
import { ATTR, METRICS } from '../src/names.ts';
import { Client, listen, type Metrics, telemetry } from './support.ts';

const EMAIL = 'alice@example.com';
const PASSWORD = 'alice-password-1';
const WRONG = 'wrong-password-9';
const USER_ID = 'user-alice-0001';
const SECRET = 'otel-test-server-secret-7d1f9a3c5e8b2d4f6a0c';
/** Logins the limiter lets through: the scenario makes 7 (a CSRF refusal never reaches it), then 429. */
const LOGINS = 7;

/**
 * One scripted scenario over HTTP (Express binding, memory store, jwt strategy, a frozen clock),
 * then every counter, histogram, gauge and span is checked against what the scenario did.
 */
describe('@sess/opentelemetry over HTTP', () => {
  const otel = telemetry();
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now };
  let sess: SessionManager;
  let server: Awaited<ReturnType<typeof listen>>;
  let metrics: Metrics;
  const ids = new Set<string>([USER_ID]);
  const secrets = new Set<string>([EMAIL, PASSWORD, WRONG, SECRET]);
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    let app: express.Express | null = null;
    server = await listen((req, res) => app!(req, res));
    const providers = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
    const store = instrumentStore(memoryStore({ clock }), providers);
    sess = createSessionManager({
      store,
      secret: SECRET,
      strategy: 'jwt',
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      jwt: {
        keys: [{ kid: 'k1', alg: 'HS256', secret: 'otel-test-jwt-key-4c2e8a6f0b1d3f5a7c9e' }],
        issuer: 'http://127.0.0.1',
        audience: 'http://127.0.0.1',
      },
      sessions: { standard: { idleTimeout: '1h', absoluteTimeout: '8h' } },
      binding: { userAgent: 'event' },
      anomalies: { failedLogins: { perAccount: 3 }, refreshReuse: true },
      csrf: { trustedOrigins: [server.url] },
    });
    sess.on('session.created', (e) => ids.add(e.sessionId));
    instrumentSess(sess, { ...providers, store, statsInterval: '1m', clock });

    const auth = createAuth(sess);
    app = express();
    app.use(auth.session, auth.csrf);
    app.get('/auth/csrf', auth.csrfToken);
    app.post(
      '/auth/login',
      auth.rateLimit(new RateLimiterMemory({ points: LOGINS, duration: 3600 }), {
        route: 'login',
      }),
      auth.login(async (_req, body) =>
        body.email === EMAIL && body.password === PASSWORD
          ? { userId: USER_ID }
          : { refused: 'bad-password', account: String(body.email) },
      ),
    );
    app.post('/auth/refresh', auth.refresh);
    app.post('/auth/logout', auth.logout);
    app.post('/auth/logout-all', auth.logoutAll);
    app.get('/me', auth.requireSession, (req, res) => res.json({ user: req.sess!.userId }));

    await scenario(server.url);
    metrics = await otel.metrics();
  });

  afterAll(async () => {
    await server?.close();
  });

  async function scenario(url: string) {
    const c = new Client(url);
    const step = async (name: string, p: Promise<{ status: number }>) => {
      statuses[name] = (await p).status;
    };
    for (let i = 1; i <= 3; i++) await step(`bad login ${i}`, c.login(EMAIL, WRONG));
    await step('login without csrf', c.login(EMAIL, PASSWORD, { csrf: false }));
    await step('login', c.login(EMAIL, PASSWORD));
    const stranger = new Client(url);
    await step('forged bearer', stranger.request('GET', '/me', { bearer: 'not.a.token' }));
    await step('me', c.request('GET', '/me'));
    c.userAgent = 'another-device/2';
    await step('me from another device', c.request('GET', '/me'));
    c.userAgent = 'otel-test/1';
    const before = new Map(c.cookies);
    await step('refresh', c.request('POST', '/auth/refresh'));
    now += 11_000; // past the reuse window
    for (const [name, value] of before) c.cookies.set(name, value);
    await step('reused refresh', c.request('POST', '/auth/refresh'));
    await step('login 2', c.login(EMAIL, PASSWORD));
    now += 60_000;
    await step('logout', c.request('POST', '/auth/logout'));
    await step('login 3', c.login(EMAIL, PASSWORD));
    now += 2 * 3600_000; // past the idle timeout
    await step('expired refresh', c.request('POST', '/auth/refresh'));
    await step('login 4', c.login(EMAIL, PASSWORD));
    await step('logout all', c.request('POST', '/auth/logout-all', { json: {} }));
    await step('rate limited', c.login(EMAIL, PASSWORD));
    await sess.revokeEverything();
    for (const value of c.seen) secrets.add(value);
  }

  it('plays the scenario as scripted', () => {
    expect(statuses).toEqual({
      'bad login 1': 401,
      'bad login 2': 401,
      'bad login 3': 401,
      'login without csrf': 403,
      login: 200,
      'forged bearer': 401,
      me: 200,
      'me from another device': 200,
      refresh: 200,
      'reused refresh': 401,
      'login 2': 200,
      logout: 200,
      'login 3': 200,
      'expired refresh': 401,
      'login 4': 200,
      'logout all': 200,
      'rate limited': 429,
    });
  });

  it('counts every event', () => {
    expect(metrics.count(METRICS.created, { [ATTR.sessionClass]: 'standard' })).toBe(4);
    expect(metrics.count(METRICS.refreshed, { [ATTR.retry]: false })).toBe(1);
    expect(metrics.count(METRICS.revoked, { [ATTR.revokeReason]: 'reuse' })).toBe(1);
    expect(metrics.count(METRICS.revoked, { [ATTR.revokeReason]: 'logout' })).toBe(1);
    expect(metrics.count(METRICS.revoked, { [ATTR.revokeReason]: 'user' })).toBe(1);
    expect(metrics.count(METRICS.revoked, { [ATTR.revokeReason]: 'everything' })).toBe(1);
    expect(metrics.count(METRICS.expired, { [ATTR.expiryLimit]: 'idle' })).toBe(1);
    expect(metrics.count(METRICS.reused)).toBe(1);
    expect(metrics.count(METRICS.loginFailed, { [ATTR.loginReason]: 'bad-password' })).toBe(3);
    expect(metrics.count(METRICS.refused, { [ATTR.credentialVia]: 'bearer' })).toBe(1);
    expect(metrics.count(METRICS.refused, { [ATTR.credentialVia]: 'refresh' })).toBe(2);
    expect(metrics.count(METRICS.refused, { [ATTR.errorType]: 'ERR_SESS_REFRESH_REUSED' })).toBe(1);
    expect(metrics.count(METRICS.csrf, { [ATTR.httpMethod]: 'POST' })).toBe(1);
    expect(metrics.count(METRICS.rateLimited, { [ATTR.route]: 'login' })).toBe(1);
    expect(
      metrics.count(METRICS.anomalies, {
        [ATTR.anomalyKind]: 'failed-login-burst',
        [ATTR.anomalyScope]: 'account',
      }),
    ).toBe(1);
    expect(metrics.count(METRICS.anomalies, { [ATTR.anomalyKind]: 'refresh-reuse' })).toBe(1);
    expect(
      metrics.count(METRICS.deviceMismatches, {
        [ATTR.deviceKind]: 'user-agent',
        [ATTR.deviceAction]: 'event',
      }),
    ).toBe(1);
  });

  it('records session durations and store latency', () => {
    const idle = metrics.histogram(METRICS.duration, { [ATTR.endReason]: 'expired-idle' });
    expect(idle.count).toBe(1);
    expect(idle.sum).toBeCloseTo(3600, 0); // created, then idle for the whole timeout
    const logout = metrics.histogram(METRICS.duration, { [ATTR.endReason]: 'logout' });
    expect(logout).toEqual({ count: 1, sum: 60 });
    const reads = metrics.histogram(METRICS.storeDuration, {
      [ATTR.operation]: 'get',
      [ATTR.storeOutcome]: 'ok',
      [ATTR.dbSystem]: 'memory',
    });
    expect(reads.count).toBeGreaterThan(0);
    for (const op of ['create', 'update', 'delete', 'deleteByUser', 'setNotBefore']) {
      const calls = metrics.histogram(METRICS.storeDuration, { [ATTR.operation]: op }).count;
      expect(calls, op).toBeGreaterThan(0);
    }
    // One collection, one stats() call, whatever the number of gauge readers.
    expect(metrics.histogram(METRICS.storeDuration, { [ATTR.operation]: 'stats' }).count).toBe(1);
  });

  it('reports active sessions from store.stats()', () => {
    // Every session of the scenario ended: deleted (reuse, logout, logout-all) or timed out.
    expect(metrics.gauge(METRICS.active)).toBe(0);
  });

  it('opens spans around lifecycle operations and store calls, none around validate', () => {
    const spans = otel.spans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named('sess.create')).toHaveLength(4);
    expect(named('sess.refresh')).toHaveLength(3);
    expect(named('sess.revoke')).toHaveLength(1);
    expect(named('sess.revoke_all_for_user')).toHaveLength(1);
    expect(named('sess.revoke_everything')).toHaveLength(1);
    expect(named('sess.validate')).toHaveLength(0);
    const failed = named('sess.refresh').filter((s) => s.status.code === 2);
    expect(failed.map((s) => s.attributes[ATTR.errorType]).sort()).toEqual([
      'ERR_SESS_EXPIRED',
      'ERR_SESS_REFRESH_REUSED',
    ]);
    for (const s of named('sess.create')) {
      expect(s.attributes).toMatchObject({
        [ATTR.strategy]: 'jwt',
        [ATTR.operation]: 'create',
        [ATTR.sessionClass]: 'standard',
      });
    }
    expect(named('sess.revoke')[0]!.attributes[ATTR.revokeReason]).toBe('logout');
    const store = named('sess.store.get');
    expect(store.length).toBeGreaterThan(0);
    expect(store[0]!.attributes).toMatchObject({
      [ATTR.dbSystem]: 'memory',
      [ATTR.dbOperation]: 'get',
      [ATTR.storeName]: 'memory',
    });
    expect(store[0]!.kind).toBe(2); // CLIENT
  });

  it('puts no credential, cookie, password, email or id in any attribute', () => {
    const values: unknown[] = [...metrics.attributeValues()];
    for (const s of otel.spans()) {
      values.push(s.name, s.status.message, ...Object.values(s.attributes));
      for (const e of s.events) values.push(e.name, ...Object.values(e.attributes ?? {}));
    }
    const leaks = values
      .filter((v): v is string => typeof v === 'string' && v.length > 0)
      .filter((v) =>
        [...secrets, ...ids].some((s) => v.includes(s) || (s.includes(v) && v.length > 8)),
      );
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThan(8); // the scenario really collected tokens and cookies
  });
});
