import { describe, expect, it } from 'vitest';
import { createSessionManager } from '../../src/index.ts';
import { memoryStore } from '../../src/memory.ts';
import { frozenClock, jwtOptions, SECRET, setup } from '../helpers.ts';

const MIN = 60_000;

describe('refresh rotation', () => {
  it('100 parallel refreshes of one credential get the same successor; one rotation is committed', async () => {
    const { sess, store } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { credential, session } = await sess.create('alice');
    let rotations = 0;
    sess.on('session.refreshed', (e) => {
      if (!e.retry) rotations++;
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => sess.refresh(credential)));
    const successors = new Set(results.map((r) => r.credential));
    expect(successors.size).toBe(1);
    expect([...successors][0]).not.toBe(credential);
    expect(rotations).toBe(1);
    const record = await store.get(session.id);
    expect(record?.generation).toBe(1);
    // The session stays alive: the successor refreshes and its access tokens validate.
    const next = await sess.refresh(results[0]!.credential);
    await expect(sess.validate(next.accessToken)).resolves.toMatchObject({
      userId: 'alice',
      sessionId: session.id,
    });
    for (const r of results) expect(r.session.id).toBe(session.id);
  });

  it('a lost response retried inside the window returns the same successor (idempotent)', async () => {
    const { sess, clock } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { credential } = await sess.create('alice');
    const first = await sess.refresh(credential);
    clock.advance(9_000);
    const retry = await sess.refresh(credential);
    expect(retry.credential).toBe(first.credential);
    expect(retry.retry).toBe(true);
    expect(retry.accessToken).toBeTruthy();
  });

  it('reuse after the window revokes the session and every access token of it', async () => {
    const { sess, clock } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const reused: string[] = [];
    sess.on('refresh.reused', (e) => reused.push(e.sessionId));
    const { credential, session } = await sess.create('alice');
    const next = await sess.refresh(credential);
    await sess.validate(next.accessToken);
    clock.advance(10_001);
    await expect(sess.refresh(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_REFRESH_REUSED',
      sessionId: session.id,
    });
    expect(reused).toEqual([session.id]);
    await expect(sess.validate(next.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
    await expect(sess.refresh(next.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('an older ancestor is reuse even inside the window', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const s0 = await sess.create('alice');
    const s1 = await sess.refresh(s0.credential);
    const s2 = await sess.refresh(s1.credential);
    await expect(sess.refresh(s0.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_REFRESH_REUSED',
    });
    await expect(sess.refresh(s2.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('a guessed secret for a known id is refused without revoking the session', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { credential, session } = await sess.create('alice');
    await expect(sess.refresh(`${session.id}.${'x'.repeat(42)}A`)).rejects.toMatchObject({
      reason: 'mismatch',
    });
    await expect(sess.refresh(credential)).resolves.toBeTruthy();
  });

  it('never extends a session past its absolute lifetime', async () => {
    const { sess, clock } = setup({
      strategy: 'jwt',
      jwt: jwtOptions,
      sessions: { standard: { idleTimeout: '1h', absoluteTimeout: '2h' } },
    });
    let { credential, session } = await sess.create('alice');
    const absolute = session.absoluteExpiresAt;
    for (let i = 0; i < 7; i++) {
      clock.advance(15 * MIN);
      ({ credential, session } = await sess.refresh(credential));
      expect(session.absoluteExpiresAt).toBe(absolute);
      expect(session.expiresAt).toBeLessThanOrEqual(absolute);
    }
    clock.advance(10 * MIN); // 5 minutes before the absolute end
    const last = await sess.refresh(credential);
    expect(last.expiresIn).toBe(5 * 60); // the access token is capped too
    clock.advance(5 * MIN);
    await expect(sess.refresh(last.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'absolute',
    });
  });

  it('an access token never outlives the idle deadline of its session', async () => {
    const { sess, clock } = setup({
      strategy: 'jwt',
      jwt: { ...jwtOptions, accessTokenTtl: '15m' },
      sessions: { standard: { idleTimeout: '5m', absoluteTimeout: '1h' } },
    });
    const { credential, expiresIn } = await sess.create('alice');
    expect(expiresIn).toBe(5 * 60);
    clock.advance(4 * MIN);
    const next = await sess.refresh(credential);
    expect(next.expiresIn).toBe(5 * 60);
    // "Log out other devices" deny-lists only the sessions still listed: an idle-expired one
    // must have no token left to deny.
    clock.advance(5 * MIN + 31_000);
    await expect(sess.validate(next.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
    });
  });

  it('a refresh racing "log out everywhere" leaves nothing alive', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { credential } = await sess.create('alice');
    const [refreshed, count] = await Promise.allSettled([
      sess.refresh(credential),
      sess.revokeAllForUser('alice'),
    ]);
    expect(count).toMatchObject({ status: 'fulfilled' });
    if (refreshed.status === 'fulfilled') {
      await expect(sess.validate(refreshed.value.accessToken)).rejects.toMatchObject({
        code: 'ERR_SESS_REVOKED',
      });
      await expect(sess.refresh(refreshed.value.credential)).rejects.toBeTruthy();
    }
    await expect(sess.refresh(credential)).rejects.toBeTruthy();
  });

  it('an access token is never accepted as a refresh token, nor the reverse', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const issued = await sess.create('alice');
    await expect(sess.refresh(issued.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    await expect(sess.validate(issued.credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });
});

describe('jwt strategy', () => {
  it('validates access tokens without touching the store while nothing is revoked', async () => {
    const { sess, counter } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { accessToken, cookies, expiresIn } = await sess.create('alice');
    expect(expiresIn).toBe(15 * 60);
    expect(cookies.map((c) => c.name)).toEqual(['__Host-session', '__Secure-refresh']);
    expect(cookies[1]!.options.path).toBe('/auth/refresh');
    await sess.validate(accessToken); // warms the revocation cache
    counter.reset();
    for (let i = 0; i < 20; i++) await sess.validate(accessToken);
    expect(counter.calls).toEqual({});
  });

  it('logout kills the access tokens of that session at once', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const a = await sess.create('alice');
    const b = await sess.create('alice');
    await sess.validate(a.accessToken);
    await sess.revoke(a.session.id);
    await expect(sess.validate(a.accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    await sess.validate(b.accessToken);
  });

  it('revokeAccessToken denies one token; non-canonical copies of a revoked token never pass', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { accessToken: issuedToken, credential } = await sess.create('alice');
    const accessToken = issuedToken!;
    const other = await sess.refresh(credential);
    await sess.revokeAccessToken(accessToken);
    await expect(sess.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    await sess.validate(other.accessToken); // the session and its other tokens live on
    const [h, p, sig] = accessToken.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1]!;
    for (const copy of [
      `${h}.${p}.${sig.slice(0, -1)}${flipped}`,
      `${h}.${p}.${sig.replaceAll('-', '+').replaceAll('_', '/')}=`,
      `${h}.${p}.${sig}=`,
      ` ${accessToken}`,
    ]) {
      await expect(sess.validate(copy)).rejects.toMatchObject({
        code: expect.stringMatching(/ERR_SESS_(INVALID_CREDENTIAL|REVOKED)/),
      });
    }
    await expect(sess.revokeAccessToken('not-a-token')).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
    const db = setup();
    await expect(db.sess.revokeAccessToken(accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
  });

  it('log out other devices keeps the current access token alive; everywhere kills all', async () => {
    const { sess, clock } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const a = await sess.create('alice');
    const b = await sess.create('alice');
    await sess.revokeAllForUser('alice', { except: [a.session.id] });
    await sess.validate(a.accessToken);
    await expect(sess.validate(b.accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    clock.advance(1000);
    await sess.revokeAllForUser('alice');
    await expect(sess.validate(a.accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    clock.advance(1000);
    const c = await sess.create('alice');
    await sess.validate(c.accessToken);
  });

  it('revokeEverything kills every stateless token on another instance via the store broadcast', async () => {
    const clock = frozenClock();
    const store = memoryStore({ clock });
    const a = createSessionManager({
      store,
      secret: SECRET,
      clock,
      strategy: 'jwt',
      jwt: jwtOptions,
      revocation: { staleness: '1h' },
    });
    const b = createSessionManager({
      store,
      secret: SECRET,
      clock,
      strategy: 'jwt',
      jwt: jwtOptions,
      revocation: { staleness: '1h' },
    });
    const { accessToken } = await a.create('alice');
    await b.validate(accessToken); // b caches "not revoked" for an hour
    clock.advance(1000);
    await a.revokeEverything();
    await expect(b.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('without a broadcast, another instance honours a revocation after the staleness bound; staleness 0 at once', async () => {
    const clock = frozenClock();
    const inner = memoryStore({ clock });
    const noBroadcast = new Proxy(inner, {
      get: (t, p, r) => (p === 'subscribe' ? undefined : Reflect.get(t, p, r)),
    });
    const options = { secret: SECRET, clock, strategy: 'jwt' as const, jwt: jwtOptions };
    const a = createSessionManager({ ...options, store: noBroadcast });
    const stale = createSessionManager({
      ...options,
      store: noBroadcast,
      revocation: { staleness: '5s' },
    });
    const strict = createSessionManager({
      ...options,
      store: noBroadcast,
      revocation: { staleness: 0 },
    });
    const { accessToken, session } = await a.create('alice');
    await stale.validate(accessToken);
    await a.revoke(session.id);
    await expect(strict.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    await expect(stale.validate(accessToken)).resolves.toBeTruthy();
    clock.advance(5_001);
    await expect(stale.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });
});

describe('hybrid strategy', () => {
  it('checks liveness in the store: a deleted session stops its access token at once', async () => {
    const { sess, store } = setup({
      strategy: 'hybrid',
      jwt: jwtOptions,
      revocation: { staleness: 0 },
    });
    const { accessToken, session } = await sess.create('alice');
    const validated = await sess.validate(accessToken);
    expect(validated.session?.id).toBe(session.id);
    expect(validated.authenticatedAt).toBe(session.authenticatedAt);
    await store.delete(session.id);
    await expect(sess.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('reads the watermark once per request, with staleness 0', async () => {
    const { sess, counter } = setup({
      strategy: 'hybrid',
      jwt: jwtOptions,
      revocation: { staleness: 0 },
    });
    const { accessToken } = await sess.create('alice');
    counter.reset();
    await sess.validate(accessToken);
    expect(counter.calls).toEqual({ isDenied: 2, getNotBefore: 1, get: 1 });
  });

  it('expires on the idle timeout even with a valid access token', async () => {
    const { sess, clock } = setup({
      strategy: 'hybrid',
      jwt: { ...jwtOptions, accessTokenTtl: '1h' },
      sessions: { standard: { idleTimeout: '10m', absoluteTimeout: '8h' } },
    });
    const { accessToken, expiresIn } = await sess.create('alice');
    expect(expiresIn).toBe(10 * 60); // cut to the idle deadline
    clock.advance(11 * MIN);
    await expect(sess.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_EXPIRED' });
  });
});

describe('events and metrics', () => {
  it('counts events and store calls', async () => {
    const { sess } = setup();
    const seen: string[] = [];
    const off = sess.on('session.created', (e) => seen.push(e.userId));
    sess.on('session.revoked', () => {
      throw new Error('a broken listener never breaks a request');
    });
    const { session } = await sess.create('alice');
    off();
    await sess.create('bob');
    await sess.revoke(session.id);
    expect(seen).toEqual(['alice']);
    const m = sess.metrics();
    expect(m.events['session.created']).toBe(2);
    expect(m.events['session.revoked']).toBe(1);
    expect(m.store.create?.calls).toBe(2);
  });
});
