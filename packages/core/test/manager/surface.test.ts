import { describe, expect, it } from 'vitest';
import { jwtOptions, setup } from '../helpers.ts';

const MIN = 60_000;

describe('manager surface', () => {
  it('exposes the resolved cookies and the keyring', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    expect(sess.cookies.names).toMatchObject({
      session: '__Host-session',
      refresh: '__Secure-refresh',
    });
    expect(sess.keyring?.currentKid).toBe('k1');
    expect(setup().sess.keyring).toBeNull();
    expect(setup().sess.csrf).toBeNull();
  });

  it('emits csrf.rejected for every refused request', async () => {
    const { sess } = setup({ csrf: { trustedOrigins: ['https://app.example.com'] } });
    const rejected: string[] = [];
    sess.on('csrf.rejected', (e) => rejected.push(`${e.method}:${e.reason}`));
    const headers = new Headers({ origin: 'https://evil.example.com' });
    await expect(
      sess.csrf!.protect({ method: 'POST', headers }, { sessionId: 'x' }),
    ).rejects.toMatchObject({
      code: 'ERR_SESS_CSRF',
    });
    const token = await sess.csrf!.issue({ sessionId: 'abc' });
    const good = new Headers({ origin: 'https://app.example.com', 'x-csrf-token': token });
    await sess.csrf!.protect({ method: 'POST', headers: good }, { sessionId: 'abc' });
    expect(rejected).toEqual(['POST:origin-untrusted']);
  });

  it('carries auth_time in access tokens, so requireFresh works in the jwt strategy', async () => {
    const { sess, clock } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { credential, session } = await sess.create('alice');
    clock.advance(6 * MIN);
    const { accessToken } = await sess.refresh(credential);
    const auth = await sess.validate(accessToken);
    expect(auth.authenticatedAt).toBe(Math.floor(session.authenticatedAt / 1000) * 1000);
    expect(() => sess.requireFresh(auth, '10m')).not.toThrow();
    expect(() => sess.requireFresh(auth, '5m')).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_NOT_FRESH' }),
    );
  });

  it('revokeAccessToken on an already expired token does nothing', async () => {
    const { sess, counter, clock } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { accessToken } = await sess.create('alice');
    clock.advance(20 * MIN);
    counter.reset();
    await expect(sess.revokeAccessToken(accessToken!)).resolves.toBeUndefined();
    expect(counter.calls.deny ?? 0).toBe(0);
  });

  it('sessions behind a watermark are not listed and do not count toward the limit', async () => {
    const { sess, clock } = setup({ maxSessionsPerUser: { limit: 1, policy: 'reject' } });
    await sess.create('alice');
    clock.advance(1000);
    await sess.revokeEverything();
    clock.advance(1000);
    expect(await sess.list('alice')).toEqual([]);
    const again = await sess.create('alice');
    expect((await sess.list('alice')).map((s) => s.id)).toEqual([again.session.id]);
  });
});

describe('regenerate', () => {
  it('keeps the absolute lifetime and the authentication time unless the user just authenticated', async () => {
    const { sess, clock } = setup();
    const first = await sess.create('alice');
    clock.advance(10 * MIN);
    const privileged = await sess.regenerate(first.session.id);
    expect(privileged.session.absoluteExpiresAt).toBe(first.session.absoluteExpiresAt);
    expect(privileged.session.authenticatedAt).toBe(first.session.authenticatedAt);
    expect(privileged.session.lastActiveAt).toBe(clock.now());
    clock.advance(10 * MIN);
    const stepUp = await sess.regenerate(privileged.session.id, { authenticated: true });
    expect(stepUp.session.authenticatedAt).toBe(clock.now());
    expect(stepUp.session.absoluteExpiresAt).toBeGreaterThan(first.session.absoluteExpiresAt);
  });

  it('cannot bring back a session killed by a watermark', async () => {
    const { sess, clock } = setup();
    const { session } = await sess.create('alice');
    clock.advance(1000);
    await sess.revokeAllForUser('bob');
    await sess.revokeEverything();
    await expect(sess.regenerate(session.id)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });
});
