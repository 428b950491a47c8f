import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSessionManager } from '../../src/index.ts';
import { memoryStore } from '../../src/memory.ts';
import { sha256 } from '../../src/util/crypto.ts';
import { SECRET, setup } from '../helpers.ts';

const MIN = 60_000;

describe('database strategy: create and validate', () => {
  it('issues <id>.<secret> with a 128-bit id and a 256-bit secret, and stores only the hash', async () => {
    const { sess, store } = setup();
    const { credential, session } = await sess.create('alice');
    const [id, secret] = credential.split('.');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.id).toBe(id);
    const record = await store.get(id!);
    expect(record?.secretHash).toBe(await sha256(secret!));
    expect(JSON.stringify(record)).not.toContain(secret);
    const validated = await sess.validate(credential);
    expect(validated.userId).toBe('alice');
    expect(validated.session?.id).toBe(id);
  });

  it('rejects a missing, malformed, unknown or wrong-secret credential as 401 errors', async () => {
    const { sess } = setup();
    const { credential } = await sess.create('alice');
    const [id] = credential.split('.');
    await expect(sess.validate(undefined)).rejects.toMatchObject({
      code: 'ERR_SESS_NO_CREDENTIAL',
      message: 'No session credential was sent',
    });
    await expect(sess.validate('')).rejects.toMatchObject({ code: 'ERR_SESS_NO_CREDENTIAL' });
    await expect(sess.refresh(null)).rejects.toMatchObject({ code: 'ERR_SESS_NO_CREDENTIAL' });
    await expect(sess.validate('garbage')).rejects.toMatchObject({ reason: 'malformed' });
    await expect(sess.validate(`${credential}=`)).rejects.toMatchObject({ reason: 'malformed' });
    const other = `${'A'.repeat(22)}.${'B'.repeat(42)}A`;
    await expect(sess.validate(other)).rejects.toMatchObject({ reason: 'unknown' });
    await expect(sess.validate(`${id}.${'C'.repeat(42)}A`)).rejects.toMatchObject({
      reason: 'mismatch',
    });
    // A wrong secret for a known id does not revoke the session: knowing a public id is not enough.
    await expect(sess.validate(credential)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('expires on the idle timeout, and on the absolute timeout even when kept active', async () => {
    const { sess, clock } = setup({
      sessions: { standard: { idleTimeout: '30m', absoluteTimeout: '2h', renewalInterval: false } },
    });
    const { credential } = await sess.create('alice');
    clock.advance(30 * MIN - 1);
    await sess.validate(credential);
    clock.advance(30 * MIN - 1);
    await sess.validate(credential); // touched on the previous request: still alive
    clock.advance(31 * MIN);
    // The store hides the expired record but retains it: its holder is told it timed out.
    await expect(sess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'idle',
    });

    const second = await sess.create('alice');
    for (let i = 0; i < 7; i++) {
      clock.advance(15 * MIN);
      await sess.validate(second.credential);
    }
    clock.advance(15 * MIN);
    await expect(sess.validate(second.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'absolute',
    });
  });

  it('tells a timeout only to the holder of the secret, and counts each session once', async () => {
    const { sess, clock } = setup();
    const { credential, session } = await sess.create('alice');
    const [id] = credential.split('.');
    clock.advance(31 * MIN);
    const forged = `${id}.${'A'.repeat(43)}`;
    await expect(sess.validate(forged)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
      reason: 'unknown',
    });
    await expect(sess.refresh(forged)).rejects.toMatchObject({ reason: 'unknown' });
    await expect(sess.validate(credential)).rejects.toMatchObject({ code: 'ERR_SESS_EXPIRED' });
    await expect(sess.refresh(credential)).rejects.toMatchObject({ code: 'ERR_SESS_EXPIRED' });
    const metrics = sess.metrics();
    expect(metrics.events['session.expired']).toBe(1);
    expect(metrics.labels['session.expired']).toEqual({ idle: 1 });
    expect(metrics.expiredDurations).toEqual({ count: 1, totalMs: 30 * MIN, maxMs: 30 * MIN });
    expect(session.id).toBe(id);
    // A revoked session is never reported as timed out, even once its deadline has passed.
    const revoked = await sess.create('bob');
    await sess.revoke(revoked.session.id);
    clock.advance(31 * MIN);
    await expect(sess.validate(revoked.credential)).rejects.toMatchObject({ reason: 'unknown' });
    // Past the notice window the record is gone for good.
    clock.advance(24 * 60 * MIN);
    await expect(sess.validate(credential)).rejects.toMatchObject({ reason: 'unknown' });
  });

  it('keeps no expired record with timeoutNotice: false', async () => {
    const { sess, clock } = setup({ timeoutNotice: false });
    const { credential } = await sess.create('alice');
    clock.advance(31 * MIN);
    await expect(sess.validate(credential)).rejects.toMatchObject({ reason: 'unknown' });
  });

  it('refuses an expired record even when a faulty store still returns it', async () => {
    const { store, clock } = setup();
    const kept = new Map<string, object>();
    const lax = new Proxy(store, {
      get: (t, p, r) =>
        p === 'get'
          ? async (id: string) => ({ ...(await t.get(id))!, ...kept.get(id) })
          : Reflect.get(t, p, r),
    });
    const sessions = { standard: { idleTimeout: '30m', absoluteTimeout: '1h' } } as const;
    const laxSess = createSessionManager({ store: lax, secret: SECRET, clock, sessions });
    const { credential, session } = await laxSess.create('alice');
    kept.set(session.id, { ...(await store.get(session.id)) });
    clock.advance(31 * MIN);
    await expect(laxSess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'idle',
    });
    // As if activity had kept it alive to the end: only the absolute deadline applies.
    const stale = kept.get(session.id) as { absoluteExpiresAt: number };
    kept.set(session.id, { ...stale, idleExpiresAt: stale.absoluteExpiresAt });
    clock.advance(30 * MIN);
    await expect(laxSess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'absolute',
    });
  });

  it('makes no store write below the touch threshold and exactly one above it', async () => {
    const { sess, counter, clock } = setup({
      sessions: { standard: { idleTimeout: '30m', renewalInterval: false } },
    });
    const { credential } = await sess.create('alice');
    counter.reset();
    for (let i = 0; i < 10; i++) {
      clock.advance(10_000);
      await sess.validate(credential);
    }
    expect(counter.calls.update ?? 0).toBe(0);
    clock.advance(3 * MIN); // 10% of 30 minutes since the last touch
    const { session } = await sess.validate(credential);
    expect(counter.calls.update).toBe(1);
    expect(session?.lastActiveAt).toBe(clock.now());
  });

  it('renews the credential after the renewal interval; the old one works only inside the reuse window', async () => {
    const { sess, clock } = setup({
      sessions: { standard: { idleTimeout: '30m', renewalInterval: '10m' } },
    });
    const { credential } = await sess.create('alice');
    clock.advance(10 * MIN);
    const renewed = await sess.validate(credential);
    expect(renewed.credential).toBeTruthy();
    expect(renewed.credential).not.toBe(credential);
    expect(renewed.cookies).toHaveLength(1);
    // A parallel request still carrying the old cookie gets the same successor back.
    clock.advance(5_000);
    const parallel = await sess.validate(credential);
    expect(parallel.credential).toBe(renewed.credential);
    await sess.validate(renewed.credential!);
    // Outside the window the old credential is theft: the whole session dies.
    clock.advance(6_000);
    await expect(sess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_REFRESH_REUSED',
    });
    await expect(sess.validate(renewed.credential!)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('50 parallel requests crossing the renewal threshold all get the same renewed credential', async () => {
    const { sess, clock } = setup({
      sessions: { standard: { idleTimeout: '30m', renewalInterval: '10m' } },
    });
    const { credential } = await sess.create('alice');
    clock.advance(10 * MIN);
    const results = await Promise.all(Array.from({ length: 50 }, () => sess.validate(credential)));
    const renewed = new Set(results.map((r) => r.credential));
    expect(renewed.size).toBe(1);
    const [next] = renewed;
    expect(next).toBeTruthy();
    await expect(sess.validate(next!)).resolves.toMatchObject({
      userId: 'alice',
      credential: null,
    });
  });

  it('regenerate gives a new id and secret and kills the old credential at once', async () => {
    const { sess } = setup();
    const first = await sess.create('alice', { data: { cart: 3 } });
    const second = await sess.regenerate(first.session.id);
    expect(second.session.id).not.toBe(first.session.id);
    expect(second.session.data).toEqual({ cart: 3 });
    await expect(sess.validate(first.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    await expect(sess.validate(second.credential)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('sets secure cookie instructions: non-persistent for standard, Max-Age for rememberMe', async () => {
    const { sess } = setup();
    const standard = await sess.create('alice');
    expect(standard.cookies).toHaveLength(1);
    expect(standard.cookies[0]).toMatchObject({
      name: '__Host-session',
      value: standard.credential,
    });
    expect(standard.cookies[0]!.options).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
    });
    expect(standard.cookies[0]!.options.maxAge).toBeUndefined();
    const remembered = await sess.create('alice', { sessionClass: 'rememberMe' });
    expect(remembered.cookies[0]!.options.maxAge).toBe(30 * 24 * 3600);
    expect(sess.clearCookies()[0]).toMatchObject({
      name: '__Host-session',
      value: '',
      options: { maxAge: 0 },
    });
  });

  it('never prints a secret through JSON.stringify or util.inspect', async () => {
    const { sess, clock } = setup({ sessions: { standard: { renewalInterval: '1m' } } });
    const issued = await sess.create('alice');
    const secret = issued.credential.split('.')[1]!;
    clock.advance(2 * MIN);
    const validated = await sess.validate(issued.credential);
    for (const value of [issued, validated, sess]) {
      expect(JSON.stringify(value)).not.toContain(secret);
      expect(inspect(value, { depth: 10 })).not.toContain(secret);
      expect(inspect(value, { depth: 10 })).not.toContain(SECRET);
      expect(JSON.stringify(value)).not.toContain(SECRET);
    }
    expect(JSON.stringify(validated)).not.toContain(validated.credential!.split('.')[1]);
    expect(issued.credential).toContain(secret); // still readable in code
  });
});

describe('database strategy: limits, updates, freshness, cleanup', () => {
  it('evict-oldest removes the oldest session when the limit is reached', async () => {
    const { sess, clock } = setup({ maxSessionsPerUser: { limit: 2 } });
    const a = await sess.create('alice');
    clock.advance(1000);
    const b = await sess.create('alice');
    clock.advance(1000);
    const c = await sess.create('alice');
    await expect(sess.validate(a.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    await sess.validate(b.credential);
    await sess.validate(c.credential);
    expect((await sess.list('alice')).map((s) => s.id).sort()).toEqual(
      [b.session.id, c.session.id].sort(),
    );
  });

  it('reject refuses a new session over the limit and keeps the existing ones', async () => {
    const { sess } = setup({ maxSessionsPerUser: { limit: 1, policy: 'reject' } });
    const a = await sess.create('alice');
    await expect(sess.create('alice')).rejects.toMatchObject({
      code: 'ERR_SESS_SESSION_LIMIT',
      limit: 1,
    });
    await sess.validate(a.credential);
    await expect(sess.create('bob')).resolves.toBeTruthy();
  });

  it('update is a compare-and-set on the session version', async () => {
    const { sess } = setup();
    const { session } = await sess.create('alice', { data: { theme: 'dark' } });
    const updated = await sess.update(session, { theme: 'light' });
    expect(updated.data).toEqual({ theme: 'light' });
    expect(updated.version).toBe(session.version + 1);
    await expect(sess.update(session, { theme: 'stale' })).rejects.toMatchObject({
      code: 'ERR_SESS_CONFLICT',
    });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => sess.update(updated, { n: i })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await sess.revoke(session.id);
    await expect(sess.update(updated, {})).rejects.toMatchObject({ code: 'ERR_SESS_NOT_FOUND' });
  });

  it('requireFresh accepts a recent sign-in and refuses an old one', async () => {
    const { sess, clock } = setup();
    const { credential } = await sess.create('alice');
    const auth = await sess.validate(credential);
    expect(() => sess.requireFresh(auth, '5m')).not.toThrow();
    clock.advance(5 * MIN + 1);
    const later = await sess.validate(credential);
    expect(() => sess.requireFresh(later, '5m')).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_NOT_FRESH' }),
    );
    expect(() => sess.requireFresh({ authenticatedAt: null }, 60)).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_NOT_FRESH' }),
    );
  });

  it('cleanup reaps expired records once their notice window has passed', async () => {
    const { sess, clock } = setup();
    await sess.create('alice');
    await sess.create('bob');
    clock.advance(31 * MIN);
    expect(await sess.cleanup()).toBe(0); // retained, to answer "timed out"
    clock.advance(24 * 60 * MIN);
    const live = await sess.create('carol');
    expect(await sess.cleanup()).toBe(2);
    await sess.validate(live.credential);
  });

  it('binding checks: event emits an anomaly, revoke ends the session', async () => {
    const events: string[] = [];
    const { sess } = setup({ binding: { userAgent: 'event', ip: 'revoke' } });
    sess.on('session.anomaly', (e) => events.push(`${e.kind}:${e.action}`));
    const { credential } = await sess.create('alice', {
      request: { userAgent: 'UA-1', ip: '10.0.0.1' },
    });
    await sess.validate(credential, { userAgent: 'UA-2', ip: '10.0.0.1' });
    expect(events).toEqual(['user-agent:event']);
    await expect(
      sess.validate(credential, { userAgent: 'UA-1', ip: '10.9.9.9' }),
    ).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    expect(events).toEqual(['user-agent:event', 'ip:revoke']);
    await expect(sess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('rejects an unknown session class', async () => {
    const { sess } = setup();
    await expect(sess.create('alice', { sessionClass: 'nope' })).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
    await expect(sess.create('')).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
  });
});

describe('invalidation', () => {
  it('revoke, revokeAllForUser with except, and revokeEverything', async () => {
    const { sess, clock } = setup();
    const a1 = await sess.create('alice');
    const a2 = await sess.create('alice');
    const a3 = await sess.create('alice');
    const b1 = await sess.create('bob');
    expect(await sess.revoke(a1.session.id)).toBe(true);
    expect(await sess.revoke(a1.session.id)).toBe(false);
    await expect(sess.validate(a1.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    expect(await sess.revokeAllForUser('alice', { except: [a3.session.id] })).toBe(1);
    await expect(sess.validate(a2.credential)).rejects.toBeTruthy();
    await sess.validate(a3.credential);
    await sess.validate(b1.credential);
    expect(await sess.revokeAllForUser('alice')).toBe(1);
    await expect(sess.validate(a3.credential)).rejects.toBeTruthy();
    await sess.validate(b1.credential);

    clock.advance(1000);
    await sess.revokeEverything();
    await expect(sess.validate(b1.credential)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    clock.advance(1);
    const fresh = await sess.create('bob');
    await sess.validate(fresh.credential);
  });

  it('a revocation on one instance is honoured by another sharing the store', async () => {
    const { store, clock } = setup();
    const a = createSessionManager({ store, secret: SECRET, clock });
    const b = createSessionManager({ store, secret: SECRET, clock });
    const { credential } = await a.create('alice');
    await b.validate(credential);
    clock.advance(1);
    await a.revokeEverything();
    await expect(b.validate(credential)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });
});

describe('failing closed', () => {
  it('a throwing store becomes StoreError (503), never a pass and never a 401', async () => {
    const { sess, store } = setup();
    const { credential } = await sess.create('alice');
    const broken = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || prop === 'subscribe') return value;
        return () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
      },
    });
    const failing = createSessionManager({ store: broken, secret: SECRET });
    for (const call of [
      () => failing.validate(credential),
      () => failing.create('alice'),
      () => failing.refresh(credential),
      () => failing.revoke('x'),
      () => failing.revokeAllForUser('alice'),
      () => failing.list('alice'),
    ]) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'ERR_SESS_STORE', name: 'StoreError' });
      expect(String((error as Error).message)).not.toContain('ECONNREFUSED');
    }
    expect(failing.metrics().store.get?.errors).toBeGreaterThan(0);
  });

  it('a store method that throws instead of rejecting fails closed too', async () => {
    const { sess, store } = setup();
    const { credential } = await sess.create('alice');
    const throwing = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'get') return value;
        return () => {
          throw new Error('ECONNREFUSED 127.0.0.1:6379');
        };
      },
    });
    const failing = createSessionManager({ store: throwing, secret: SECRET });
    await expect(failing.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_STORE',
      name: 'StoreError',
    });
    expect(failing.metrics().store.get?.errors).toBe(1);
  });

  it('an outage is one error line when it starts and one warning when it ends, never a line per call', async () => {
    const { store } = setup();
    let down = true;
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'get') return value;
        return (id: string) =>
          down ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : value.call(target, id);
      },
    });
    const lines: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (m: string, f?: object) => lines.push(`warn ${m} ${JSON.stringify(f)}`),
      error: (m: string, f?: object) => lines.push(`error ${m} ${JSON.stringify(f)}`),
    };
    const sess = createSessionManager({ store: flaky, secret: SECRET, logger });
    for (let i = 0; i < 20; i++)
      await sess.validate(`${'A'.repeat(22)}.${'A'.repeat(43)}`).catch(() => {});
    expect(lines).toEqual([
      'error session store unavailable; requests fail closed (503) {"operation":"get","store":"memory","error":"Error"}',
    ]);
    down = false;
    await sess.validate(`${'A'.repeat(22)}.${'A'.repeat(43)}`).catch(() => {});
    await sess.validate(`${'A'.repeat(22)}.${'A'.repeat(43)}`).catch(() => {});
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^warn session store recovered \{"store":"memory","failures":20,"outageMs":\d+\}$/,
    );
  });

  it('a store returning garbage for a record never yields a session', async () => {
    const store = memoryStore();
    const sess = createSessionManager({ store, secret: SECRET });
    const { credential } = await sess.create('alice');
    await store.delete(credential.split('.')[0]!);
    await expect(sess.validate(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });
});
