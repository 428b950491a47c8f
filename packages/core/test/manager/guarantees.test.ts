import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusFor, type SessEventMap, type SessionManagerOptions } from '../../src/index.ts';
import { useNodeCrypto } from '../../src/util/node-crypto.ts';
import { jwtOptions, SECRET, setup } from '../helpers.ts';

const MIN = 60_000;
const PHONE = { userAgent: 'Phone/1', ip: '198.51.100.7' };
const THIEF = { userAgent: 'Thief/9', ip: '203.0.113.66' };

afterEach(() => useNodeCrypto(true));

async function expect401(pending: Promise<unknown>): Promise<void> {
  const error = await pending.then(
    () => null,
    (e: { code?: string }) => e,
  );
  expect(httpStatusFor(String(error?.code))).toBe(401);
}

function anomalies(sess: ReturnType<typeof setup>['sess']) {
  const seen: SessEventMap['session.anomaly'][] = [];
  sess.on('session.anomaly', (e) => seen.push(e));
  return seen;
}

describe('device binding in the jwt strategy', () => {
  const jwt = (binding: SessionManagerOptions['binding'], extra = {}) =>
    setup({ strategy: 'jwt', jwt: jwtOptions, binding, ...extra });

  for (const path of ['node:crypto', 'Web Crypto'] as const) {
    it(`revoke: a token replayed from another device is refused and its session ended (${path})`, async () => {
      useNodeCrypto(path === 'node:crypto');
      const { sess } = jwt({ userAgent: 'revoke' });
      const seen = anomalies(sess);
      const issued = await sess.create('alice', { request: PHONE });
      // The owner's device passes, twice (the second time from the verified-token cache).
      await sess.validate(issued.accessToken, PHONE);
      await sess.validate(issued.accessToken, PHONE);
      await expect(sess.validate(issued.accessToken, THIEF)).rejects.toMatchObject({
        code: 'ERR_SESS_REVOKED',
      });
      expect(seen).toEqual([
        { sessionId: issued.session.id, userId: 'alice', kind: 'user-agent', action: 'revoke' },
      ]);
      // The session is over for its owner too: the token is deny-listed, the refresh is dead.
      await expect(sess.validate(issued.accessToken, PHONE)).rejects.toMatchObject({
        code: 'ERR_SESS_REVOKED',
      });
      await expect401(sess.refresh(issued.credential, PHONE));
    });
  }

  it('revoke: a refresh from another device ends the session', async () => {
    const { sess } = jwt({ ip: 'revoke' });
    const seen = anomalies(sess);
    const issued = await sess.create('alice', { request: PHONE });
    await expect(sess.refresh(issued.credential, THIEF)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
    expect(seen.map((e) => e.kind)).toEqual(['ip']);
    await expect(sess.validate(issued.accessToken, PHONE)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
  });

  it('event: the request passes and every mismatch is reported, on the cached path too', async () => {
    const { sess } = jwt({ userAgent: 'event', ip: 'event' });
    const seen = anomalies(sess);
    const issued = await sess.create('alice', { request: PHONE });
    await sess.validate(issued.accessToken, { ...PHONE, ip: THIEF.ip });
    await sess.validate(issued.accessToken, THIEF);
    expect(seen.map((e) => `${e.kind}:${e.action}`)).toEqual([
      'ip:event',
      'user-agent:event',
      'ip:event',
    ]);
    const next = await sess.refresh(issued.credential, THIEF);
    expect(seen).toHaveLength(5);
    // The new token is still bound to the device the session was created on.
    await sess.validate(next.accessToken, PHONE);
    expect(seen).toHaveLength(5);
  });

  it('a token carries keyed hashes, never the user agent or IP', async () => {
    const { sess } = jwt({ userAgent: 'revoke', ip: 'revoke' });
    const issued = await sess.create('alice', { request: PHONE });
    const payload = JSON.parse(
      Buffer.from(issued.accessToken!.split('.')[1]!, 'base64url').toString(),
    );
    expect(payload.bnd).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    expect(JSON.stringify(payload)).not.toContain('Phone');
    expect(JSON.stringify(payload)).not.toContain('198.51');
    const off = setup({ strategy: 'jwt', jwt: jwtOptions });
    const plain = await off.sess.create('alice', { request: PHONE });
    const claims = JSON.parse(
      Buffer.from(plain.accessToken!.split('.')[1]!, 'base64url').toString(),
    );
    expect(claims.bnd).toBeUndefined();
  });

  it('a server-secret rotation is not mistaken for a new device', async () => {
    const first = jwt({ userAgent: 'revoke' });
    const issued = await first.sess.create('alice', { request: PHONE });
    const { createSessionManager } = await import('../../src/index.ts');
    const rotated = createSessionManager({
      store: first.store,
      clock: first.clock,
      strategy: 'jwt',
      jwt: jwtOptions,
      binding: { userAgent: 'revoke' },
      secret: ['rotated-secret-7c1e9a3f5b8d2e6c4a1f9b3d7e5c2a8f', SECRET],
    });
    await rotated.validate(issued.accessToken, PHONE);
    await expect(rotated.validate(issued.accessToken, THIEF)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
  });
});

describe('maxSessionsPerUser holds under concurrent logins', () => {
  for (const policy of ['evict-oldest', 'reject'] as const) {
    for (const strategy of ['database', 'jwt'] as const) {
      it(`${policy}, ${strategy}: 50 parallel logins leave at most 2 live sessions`, async () => {
        const { sess } = setup({
          strategy,
          ...(strategy === 'jwt' ? { jwt: jwtOptions } : {}),
          maxSessionsPerUser: { limit: 2, policy },
        });
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => sess.create('alice')),
        );
        const live = await sess.list('alice');
        expect(live).toHaveLength(2);
        const ok = results.filter((r) => r.status === 'fulfilled');
        if (policy === 'reject') {
          expect(ok).toHaveLength(2);
          for (const r of results.filter((r) => r.status === 'rejected')) {
            expect((r as PromiseRejectedResult).reason).toMatchObject({
              code: 'ERR_SESS_SESSION_LIMIT',
            });
          }
        } else {
          expect(ok).toHaveLength(50);
          // Every evicted login is dead, in jwt its access token too; the survivors work.
          const ids = new Set(live.map((s) => s.id));
          for (const r of ok) {
            const issued = (r as PromiseFulfilledResult<Awaited<ReturnType<typeof sess.create>>>)
              .value;
            const token = issued.accessToken ?? issued.credential;
            if (ids.has(issued.session.id)) await sess.validate(token);
            else await expect401(sess.validate(token));
          }
          expect(sess.metrics().labels['session.revoked']).toEqual({ evicted: 48 });
        }
      });
    }
  }
});

describe('a timeout is told apart from a revocation', () => {
  it('hybrid: an access token whose session timed out answers ERR_SESS_EXPIRED', async () => {
    const { sess, clock } = setup({
      strategy: 'hybrid',
      jwt: { ...jwtOptions, accessTokenTtl: '15m' },
      sessions: { standard: { idleTimeout: '5m', absoluteTimeout: '1h' } },
    });
    const issued = await sess.create('alice');
    clock.advance(5 * MIN + 10_000); // inside the token's clock skew, past the session's idle deadline
    await expect(sess.validate(issued.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'idle',
    });
    await expect(sess.refresh(issued.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
    });
    const other = await sess.create('bob');
    await sess.revoke(other.session.id);
    await expect(sess.validate(other.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
  });

  it('jwt: the refresh after a timeout answers ERR_SESS_EXPIRED, after a logout it does not', async () => {
    const { sess, clock } = setup({
      strategy: 'jwt',
      jwt: jwtOptions,
      sessions: { standard: { idleTimeout: '5m', absoluteTimeout: '1h' } },
    });
    const idle = await sess.create('alice');
    const gone = await sess.create('alice');
    await sess.revoke(gone.session.id);
    clock.advance(6 * MIN);
    await expect(sess.refresh(idle.credential)).rejects.toMatchObject({ code: 'ERR_SESS_EXPIRED' });
    await expect(sess.refresh(gone.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });
});

describe('failure signals', () => {
  it('loginFailed emits a keyed hash of the account, never the account, and counts by reason', async () => {
    const { sess } = setup();
    const seen: SessEventMap['login.failed'][] = [];
    sess.on('login.failed', (e) => seen.push(e));
    await sess.loginFailed({
      reason: 'bad-password',
      account: 'Alice@Example.com',
      ip: '192.0.2.1',
    });
    await sess.loginFailed({ account: 'alice@example.com ' });
    await sess.loginFailed({ reason: 'nonsense' as never, ip: 'not an ip' });
    expect(seen[0]).toMatchObject({ reason: 'bad-password', ip: '192.0.2.1' });
    expect(seen[0]!.account).toMatch(/^[\w-]{22}$/);
    expect(seen[1]!.account).toBe(seen[0]!.account); // one account, whatever its case
    expect(seen[2]).toEqual({ reason: 'invalid-credentials', account: null, ip: null });
    expect(JSON.stringify(seen)).not.toMatch(/alice/i);
    expect(sess.metrics().labels['login.failed']).toEqual({
      'bad-password': 1,
      'invalid-credentials': 2,
    });
  });

  it('rate-limit route labels are bounded', () => {
    const { sess } = setup();
    for (let i = 0; i < 40; i++) sess.rateLimited(`route-${i}`);
    sess.rateLimited('has spaces');
    const labels = sess.metrics().labels['ratelimit.exceeded']!;
    expect(Object.keys(labels)).toHaveLength(33);
    expect(labels.other).toBe(9);
  });
});
