import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createSessionManager, type SessionStore } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { describe, expect, it } from 'vitest';
import { instrumentSess, instrumentStore } from '../src/index.ts';
import { ATTR, METRICS } from '../src/names.ts';
import { telemetry } from './support.ts';

const SECRET = 'otel-unit-test-server-secret-3b9d1f7a5c2e4a6c8e0b';

function setup(now = { t: Date.UTC(2026, 0, 1) }) {
  const otel = telemetry();
  const providers = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
  const clock = { now: () => now.t };
  const store = memoryStore({ clock });
  const sess = createSessionManager({ store, secret: SECRET, clock, logger: silent });
  return { otel, providers, clock, store, sess, now };
}
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('instrumentStore', () => {
  it('keeps exactly the optional methods the store has', () => {
    const { store } = setup();
    const bare: SessionStore = { ...store };
    delete bare.createCapped;
    delete bare.getExpired;
    delete bare.stats;
    delete bare.subscribe;
    const wrapped = instrumentStore(bare);
    expect(wrapped.name).toBe('memory');
    expect(wrapped.createCapped).toBeUndefined();
    expect(wrapped.getExpired).toBeUndefined();
    expect(wrapped.stats).toBeUndefined();
    expect(wrapped.subscribe).toBeUndefined();
    expect(typeof instrumentStore(store).createCapped).toBe('function');
  });

  it('times failures by error type, ends the span in error, and rethrows', async () => {
    const { store, otel, providers } = setup();
    const failure = Object.assign(new Error('connection to 10.0.0.7 refused: secret-ish'), {
      code: 'ECONNREFUSED',
    });
    const broken = instrumentStore(
      {
        ...store,
        get: () => Promise.reject(failure),
      },
      { ...providers, dbSystem: 'redis' },
    );
    await expect(broken.get('x')).rejects.toBe(failure);
    const metrics = await otel.metrics();
    expect(
      metrics.histogram(METRICS.storeDuration, {
        [ATTR.operation]: 'get',
        [ATTR.storeOutcome]: 'error',
        [ATTR.errorType]: 'ECONNREFUSED',
        [ATTR.dbSystem]: 'redis',
      }).count,
    ).toBe(1);
    const [span] = otel.spans();
    expect(span!.name).toBe('sess.store.get');
    expect(span!.status).toEqual({ code: 2 });
    expect(span!.events).toEqual([]); // no exception event: its message could hold anything
  });

  it('refuses unknown options', () => {
    const { store } = setup();
    expect(() => instrumentStore(store, { spanz: false } as never)).toThrow(
      /unknown option "spanz"/,
    );
  });
});

describe('instrumentSess', () => {
  it('asks store.stats() at most once per statsInterval, failures included', async () => {
    const { store, sess, otel, providers, clock, now } = setup();
    let calls = 0;
    let fail = false;
    const counted: SessionStore = {
      ...store,
      stats: (at, options) => {
        calls++;
        return fail ? Promise.reject(new Error('down')) : store.stats(at, options);
      },
    };
    instrumentSess(sess, { ...providers, store: counted, statsInterval: '30s', clock });
    await sess.create('u1');
    expect((await otel.metrics()).gauge(METRICS.active)).toBe(1);
    await sess.create('u2');
    expect((await otel.metrics()).gauge(METRICS.active)).toBe(1); // cached
    expect(calls).toBe(1);
    now.t += 30_000;
    expect((await otel.metrics()).gauge(METRICS.active)).toBe(2);
    expect(calls).toBe(2);
    fail = true;
    now.t += 30_000;
    await otel.metrics(); // no observation this time (the SDK may keep showing the last one)
    await otel.metrics();
    expect(calls).toBe(3); // a failure is not retried before the interval either
    fail = false;
    now.t += 30_000;
    expect((await otel.metrics()).gauge(METRICS.active)).toBe(2);
  });

  it('wraps validate only when traceValidate is on, and stop() restores every method', async () => {
    const { sess, otel, providers } = setup();
    const validate = sess.validate;
    const handle = instrumentSess(sess, { ...providers });
    expect(sess.validate).toBe(validate); // the hot path is untouched
    expect(Object.hasOwn(sess, 'create')).toBe(true);
    handle.stop();
    handle.stop();
    expect(Object.hasOwn(sess, 'create')).toBe(false);

    instrumentSess(sess, { ...providers, traceValidate: true });
    const { credential } = await sess.create('u1');
    await sess.validate(credential);
    await expect(sess.validate('nope')).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    const spans = otel.spans().filter((s) => s.name === 'sess.validate');
    expect(spans.map((s) => s.status.code)).toEqual([0, 2]);
    expect(spans[1]!.attributes).toMatchObject({
      [ATTR.operation]: 'validate',
      [ATTR.strategy]: 'database',
      [ATTR.errorType]: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('stop() removes the listeners: no more counts', async () => {
    const { sess, otel, providers } = setup();
    const handle = instrumentSess(sess, providers);
    await sess.create('u1');
    handle.stop();
    await sess.create('u2');
    expect((await otel.metrics()).count(METRICS.created)).toBe(1);
  });

  it('bounds attribute values: free text and values past 32 distinct become "other"', async () => {
    const { sess, otel, providers } = setup();
    instrumentSess(sess, providers);
    for (let i = 0; i < 40; i++) sess.rateLimited(`route-${i}`);
    const metrics = await otel.metrics();
    expect(metrics.count(METRICS.rateLimited)).toBe(40);
    expect(metrics.count(METRICS.rateLimited, { [ATTR.route]: 'other' })).toBe(8);
  });

  it('lists every configuration problem at once', () => {
    const { sess, store } = setup();
    const noStats: SessionStore = { ...store };
    delete noStats.stats;
    let message = '';
    try {
      instrumentSess(sess, { statsInterval: 'soon', store: noStats, tracer: 1 } as never);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/unknown option "tracer"/);
    expect(message).toMatch(/statsInterval must be a positive duration/);
    expect(message).toMatch(/store has no stats\(\)/);
    instrumentSess(sess);
    expect(() => instrumentSess(sess)).toThrow(/already instrumented/);
  });
});

describe('span parents', () => {
  it('opens store spans inside the lifecycle span when the SDK has a context manager', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const { store, otel, providers, clock } = setup();
      const sess = createSessionManager({
        store: instrumentStore(store, providers),
        secret: SECRET,
        clock,
        logger: silent,
      });
      instrumentSess(sess, providers);
      await sess.create('u1');
      const spans = otel.spans();
      const create = spans.find((s) => s.name === 'sess.create')!;
      const children = spans.filter(
        (s) => s.parentSpanContext?.spanId === create.spanContext().spanId,
      );
      expect(children.map((s) => s.name)).toContain('sess.store.create');
      // The revocation replica's first load runs when the manager is made, in its own trace.
      const traced = spans.filter((s) => s.name !== 'sess.store.recentRevocations');
      expect(new Set(traced.map((s) => s.spanContext().traceId)).size).toBe(1);
    } finally {
      context.disable();
      manager.disable();
    }
  });
});
