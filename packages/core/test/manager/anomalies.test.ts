import { describe, expect, it } from 'vitest';
import type { SessEventMap } from '../../src/index.ts';
import { jwtOptions, setup } from '../helpers.ts';

const MIN = 60_000;
type Anomaly = SessEventMap['security.anomaly'];

function watch(sess: ReturnType<typeof setup>['sess']): Anomaly[] {
  const seen: Anomaly[] = [];
  sess.on('security.anomaly', (e) => seen.push(e));
  return seen;
}

describe('anomaly signals', () => {
  it('are off by default', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const seen = watch(sess);
    for (let i = 0; i < 100; i++) await sess.loginFailed({ account: 'a@x', ip: '192.0.2.1' });
    for (let i = 0; i < 20; i++) await sess.create('u', { request: { ip: `198.51.100.${i}` } });
    expect(seen).toEqual([]);
  });

  it('a burst of failed logins against one account, once per window, with the account hashed', async () => {
    const { sess, clock } = setup({ anomalies: { failedLogins: { perAccount: 3, window: '5m' } } });
    const seen = watch(sess);
    for (let i = 0; i < 6; i++) {
      await sess.loginFailed({ account: 'victim@example.com', ip: `203.0.113.${i}` });
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'failed-login-burst', scope: 'account', count: 3 });
    expect(seen[0]!.subject).toMatch(/^[\w-]{22}$/);
    expect(JSON.stringify(seen)).not.toContain('victim');
    clock.advance(5 * MIN);
    for (let i = 0; i < 3; i++) await sess.loginFailed({ account: 'victim@example.com' });
    expect(seen).toHaveLength(2); // a new window, a new signal
    expect(sess.metrics().labels['security.anomaly']).toEqual({ 'failed-login-burst': 2 });
  });

  it('a burst of failed logins from one IP across many accounts', async () => {
    const { sess } = setup({ anomalies: { failedLogins: { perIp: 4 } } });
    const seen = watch(sess);
    for (let i = 0; i < 4; i++)
      await sess.loginFailed({ account: `user${i}@x`, ip: '203.0.113.9' });
    expect(seen).toEqual([
      {
        kind: 'failed-login-burst',
        scope: 'ip',
        subject: '203.0.113.9',
        count: 4,
        windowMs: 5 * MIN,
      },
    ]);
  });

  it('one user logging in from many distinct IPs within the window', async () => {
    const { sess, clock } = setup({ anomalies: { distinctIps: { threshold: 3, window: '1h' } } });
    const seen = watch(sess);
    await sess.create('alice', { request: { ip: '198.51.100.1' } });
    await sess.create('alice', { request: { ip: '198.51.100.1' } });
    await sess.create('alice', { request: { ip: '198.51.100.2' } });
    await sess.create('bob', { request: { ip: '198.51.100.3' } });
    expect(seen).toEqual([]);
    clock.advance(30 * MIN);
    await sess.create('alice', { request: { ip: '198.51.100.3' } });
    expect(seen).toEqual([
      { kind: 'distinct-ip-burst', scope: 'user', subject: 'alice', count: 3, windowMs: 60 * MIN },
    ]);
  });

  it('refresh-token reuse, when asked for', async () => {
    const { sess, clock } = setup({
      strategy: 'jwt',
      jwt: jwtOptions,
      anomalies: { refreshReuse: true },
    });
    const seen = watch(sess);
    const issued = await sess.create('alice');
    await sess.refresh(issued.credential);
    clock.advance(MIN);
    await expect(sess.refresh(issued.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_REFRESH_REUSED',
    });
    expect(seen).toEqual([
      {
        kind: 'refresh-reuse',
        scope: 'session',
        subject: issued.session.id,
        count: 1,
        windowMs: 0,
      },
    ]);
  });

  it('refuses bad options at startup', () => {
    expect(() =>
      setup({
        anomalies: { failedLogins: { perAccount: 1, windw: '5m' } as never, extra: 1 } as never,
      }),
    ).toThrow(/perAccount[\s\S]*windw[\s\S]*extra|extra[\s\S]*perAccount/);
  });

  it('session.revoked carries the session age when the record was at hand', async () => {
    const { sess, clock } = setup();
    const revoked: SessEventMap['session.revoked'][] = [];
    sess.on('session.revoked', (e) => revoked.push(e));
    const issued = await sess.create('alice');
    clock.advance(7 * MIN);
    await sess.revoke(issued.session.id);
    expect(revoked[0]).toMatchObject({ reason: 'logout', durationMs: 7 * MIN });
  });
});
