import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerLogin,
  bearerMe,
  bearerRefresh,
  browserHeaders,
  cloneClient,
  cookieHeader,
  cookieNames,
  errorCode,
  liveSessionIds,
  meWithCookies,
  raw,
  refreshCredential,
  setCookieValue,
  useFrozenDemoClock,
} from '../../src/attacks/http.ts';
import { MATRIX, sessionIdOf, startTarget, type Target, victim } from '../../src/target.ts';

// The demo's settings (core defaults): reuse window 10 s, standard class 30 min idle / 8 h
// absolute, access tokens 15 min with 30 s of clock skew tolerated.
const WINDOW = 10_000;
const MINUTE = 60_000;
const SKEW = 30_000;

const clock = useFrozenDemoClock();

describe.each(MATRIX)('refresh attacks: %s × %s', (framework, strategy) => {
  let target: Target;
  let credName: string;
  beforeAll(async () => {
    target = await startTarget(framework, strategy);
    const names = cookieNames(target);
    // In database the refresh credential is the session cookie; in jwt/hybrid the refresh cookie.
    credName = strategy === 'database' ? names.session : names.refresh;
  });
  afterAll(() => target?.close());

  // Probes a copy: the 401 clears cookies, and the original jar must keep presenting its copy.
  const expectDead = async (client: Parameters<typeof sessionIdOf>[0]) => {
    await expect(sessionIdOf(cloneClient(client))).rejects.toThrow(/answered 401/);
  };

  it('sequential reuse past the window: 401, and the whole session (the victim too) is revoked', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const thief = cloneClient(client);
    const rotated = await client.request('POST', '/auth/refresh');
    expect(rotated.status).toBe(200);
    expect(refreshCredential(target, client)).not.toBe(refreshCredential(target, thief));
    expect(await sessionIdOf(client)).toBe(id);

    clock.advance(WINDOW + 1);
    const reuse = await thief.request('POST', '/auth/refresh');
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('ERR_SESS_REFRESH_REUSED');
    // The point of reuse detection: the legitimate successor dies with the stolen copy.
    await expectDead(client);
    expect((await client.request('POST', '/auth/refresh')).status).toBe(401);
    expect(await liveSessionIds(target)).not.toContain(id);
  });

  it('the thief refreshes first: the victim presenting the superseded secret later kills the thief too', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const thief = cloneClient(client, 'thief/1');
    expect((await thief.request('POST', '/auth/refresh')).status).toBe(200);
    expect(await sessionIdOf(thief)).toBe(id);
    clock.advance(WINDOW + 1);
    const victimRefresh = await client.request('POST', '/auth/refresh');
    expect(victimRefresh.status).toBe(401);
    expect(victimRefresh.body.error.code).toBe('ERR_SESS_REFRESH_REUSED');
    await expectDead(thief);
    expect((await thief.request('POST', '/auth/refresh')).status).toBe(401);
    expect(await liveSessionIds(target)).not.toContain(id);
  });

  it("reuse after the successor's access token was used (bearer client): everything of the session dies", async () => {
    const first = await bearerLogin(target);
    const rotated = await bearerRefresh(target, first.credential);
    expect(rotated.status).toBe(200);
    const field = strategy === 'database' ? 'sessionToken' : 'refreshToken';
    const successor = rotated.body[field] as string;
    // database: the session credential is what authenticates requests.
    const access = (strategy === 'database' ? successor : rotated.body.accessToken) as string;
    expect(successor).not.toBe(first.credential);
    const me = await bearerMe(target, access);
    expect(me.status).toBe(200);
    const id = me.body.session.id as string;

    clock.advance(WINDOW + 1);
    const reuse = await bearerRefresh(target, first.credential);
    expect(reuse.status).toBe(401);
    expect(errorCode(reuse)).toBe('ERR_SESS_REFRESH_REUSED');
    expect((await bearerMe(target, access)).status).toBe(401);
    expect((await bearerRefresh(target, successor)).status).toBe(401);
    if (first.accessToken) expect((await bearerMe(target, first.accessToken)).status).toBe(401);
    expect(await liveSessionIds(target)).not.toContain(id);
  });

  it('stale lineage: the grandparent credential is reuse even inside the window', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const grandparent = cloneClient(client, 'thief/1');
    expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
    const parent = cloneClient(client, 'thief/1');
    expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
    expect(await sessionIdOf(client)).toBe(id);
    // The parent inside the window is a retry: it recovers the current credential, no fork.
    const retry = await raw(target, 'POST', '/auth/refresh', { headers: browserHeaders(parent) });
    expect(retry.status).toBe(200);
    expect(setCookieValue(retry, credName)).toBe(refreshCredential(target, client));

    const reuse = await grandparent.request('POST', '/auth/refresh');
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('ERR_SESS_REFRESH_REUSED');
    await expectDead(client);
    expect(await liveSessionIds(target)).not.toContain(id);
  });

  // Session ids are public handles (device lists, logs): knowing one must not let anyone end the
  // session, so a wrong secret for a known id is a plain 401 and never counts as reuse.
  it('guesses with the right id and wrong secrets are refused and never revoke', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bearerRefresh(target, `${id}.${Buffer.alloc(32, i).toString('base64url')}`),
      ),
    );
    for (const guess of guesses) {
      expect(guess.status).toBe(401);
      expect(errorCode(guess)).toBe('ERR_SESS_INVALID_CREDENTIAL');
    }
    expect(await sessionIdOf(client)).toBe(id);
    expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
    expect(await sessionIdOf(client)).toBe(id);
  });

  // docs/tokens.md, "Racers converge": every caller presenting the same secret gets the same
  // successor, exactly one rotation happens, and nothing is mistaken for theft.
  it.each([2, 10, 50])(
    'concurrent refresh, %i callers with one cookie: all 200, one shared successor, nobody logged out',
    async (n) => {
      const client = await victim(target);
      const id = await sessionIdOf(client);
      const old = refreshCredential(target, client);
      const headers = browserHeaders(client);
      const replies = await Promise.all(
        Array.from({ length: n }, () => raw(target, 'POST', '/auth/refresh', { headers })),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(n).fill(200));
      const successors = new Set(replies.map((r) => setCookieValue(r, credName)));
      expect(successors.size).toBe(1);
      const [successor] = successors;
      expect(successor).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
      expect(successor).not.toBe(old);
      // Every racer keeps working with what it got.
      const sessionName = cookieNames(target).session;
      for (const reply of replies) {
        const jar = cloneClient(client);
        for (const c of reply.setCookies) jar.cookies.set(c.name, c.value);
        const me = await meWithCookies(target, cookieHeader(jar));
        expect(me.status).toBe(200);
        expect(me.body.session.id).toBe(id);
        if (strategy !== 'database') expect(setCookieValue(reply, sessionName)).toBeTruthy();
      }
      // One lineage: the shared successor is the current secret (it rotates on), and the
      // original is its parent (a retry inside the window recovers the newest credential).
      const last = replies[0]!;
      for (const c of last.setCookies) client.cookies.set(c.name, c.value);
      expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
      expect(await sessionIdOf(client)).toBe(id);
      expect(await liveSessionIds(target)).toContain(id);
    },
  );

  it('concurrent refresh, 10 bearer callers with the credential in the body: one shared successor', async () => {
    const tokens = await bearerLogin(target);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => bearerRefresh(target, tokens.credential)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    const field = strategy === 'database' ? 'sessionToken' : 'refreshToken';
    const successors = new Set(replies.map((r) => r.body[field]));
    expect(successors.size).toBe(1);
    const successor = [...successors][0] as string;
    for (const reply of replies) {
      const token = (strategy === 'database' ? successor : reply.body.accessToken) as string;
      expect((await bearerMe(target, token)).status).toBe(200);
    }
    expect((await bearerRefresh(target, successor)).status).toBe(200);
  });

  it('lost response: a retry inside the window gets the same, usable successor', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    // The server rotates; the answer never reaches the browser (its jar is untouched).
    const lost = await raw(target, 'POST', '/auth/refresh', { headers: browserHeaders(client) });
    expect(lost.status).toBe(200);
    const successor = setCookieValue(lost, credName);
    clock.advance(WINDOW); // the last millisecond of the reuse window
    const retry = await client.request('POST', '/auth/refresh');
    expect(retry.status).toBe(200);
    expect(refreshCredential(target, client)).toBe(successor);
    expect(await sessionIdOf(client)).toBe(id);
    // Usable: it is the current secret, so the next refresh rotates normally.
    clock.advance(WINDOW + 1);
    expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
    expect(await sessionIdOf(client)).toBe(id);
  });

  // Time is the manager's clock (Date, frozen for this file): refresh every 20 minutes to stay
  // inside the idle timeout, up to the absolute limit.
  it('absolute lifetime: rotation never extends it; a refresh at the limit fails', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const session = (await target.sess.list('u-alice')).find((s) => s.id === id)!;
    const absolute = session.absoluteExpiresAt;
    expect(absolute - session.createdAt).toBe(8 * 60 * MINUTE);
    const refresh = async () => {
      if (strategy !== 'database') {
        // A browser drops the access cookie at its Max-Age (at most 15 min) and, as @sess/client
        // does after the 403 that follows, fetches a CSRF token the request can still be bound
        // to: the pre-session one (the access token that named the session is gone).
        client.cookies.delete(cookieNames(target).session);
        expect((await client.request('GET', '/auth/csrf')).status).toBe(200);
      }
      return client.request('POST', '/auth/refresh');
    };
    while (clock.now() + 20 * MINUTE < absolute - 2_000) {
      clock.advance(20 * MINUTE);
      const refreshed = await refresh();
      expect(refreshed.status).toBe(200);
      const now = (await target.sess.list('u-alice')).find((s) => s.id === id)!;
      expect(now.absoluteExpiresAt).toBe(absolute);
      expect(now.expiresAt).toBeLessThanOrEqual(absolute);
      expect((await client.request('GET', '/auth/csrf')).status).toBe(200);
    }
    clock.advance(absolute - 2_000 - clock.now());
    const late = await refresh();
    expect(late.status).toBe(200);
    // Access tokens are cut to the time left.
    if (strategy !== 'database') expect(late.body.expiresIn).toBeLessThanOrEqual(2);
    const lastJar = cloneClient(client); // holds the last access token issued
    clock.advance(2_000); // exactly the absolute limit
    const expired = await refresh();
    expect(expired.status).toBe(401);
    expect(await liveSessionIds(target)).not.toContain(id);
    // jwt: the last access token is accepted for at most the clock-skew tolerance after it.
    if (strategy === 'jwt') clock.advance(SKEW + 1_000);
    await expectDead(lastJar);
  });

  it('refresh after logout: the stolen copy of the refresh credential gets 401', async () => {
    const client = await victim(target);
    const stolen = cloneClient(client, 'thief/1');
    const credential = refreshCredential(target, client);
    expect((await client.request('POST', '/auth/logout')).status).toBe(200);
    expect((await stolen.request('POST', '/auth/refresh')).status).toBe(401);
    expect((await bearerRefresh(target, credential)).status).toBe(401);
    await expectDead(stolen);
  });

  it('refresh after "log out everywhere" from another device: 401 for every copy', async () => {
    const client = await victim(target);
    const stolen = cloneClient(client, 'thief/1');
    const credential = refreshCredential(target, client);
    const other = await victim(target);
    const all = await other.request('POST', '/auth/logout-all', {});
    expect(all.status).toBe(200);
    expect(all.body.revoked).toBeGreaterThanOrEqual(2);
    expect((await client.request('POST', '/auth/refresh')).status).toBe(401);
    expect((await stolen.request('POST', '/auth/refresh')).status).toBe(401);
    expect((await bearerRefresh(target, credential)).status).toBe(401);
    await expectDead(client);
    await expectDead(other);
    expect(await liveSessionIds(target)).toEqual([]);
  });

  // Access tokens exist only in jwt and hybrid; in database the one credential is both.
  it.runIf(strategy !== 'database')(
    'an access token presented as a refresh token, and the reverse, is refused',
    async () => {
      const client = await victim(target);
      const id = await sessionIdOf(client);
      const names = cookieNames(target);
      const access = client.cookies.get(names.session)!;
      const refresh = client.cookies.get(names.refresh)!;

      // Access token as refresh token: in the body (bearer) and in the refresh cookie.
      const asBody = await bearerRefresh(target, access);
      expect(asBody.status).toBe(401);
      expect(errorCode(asBody)).toBe('ERR_SESS_INVALID_CREDENTIAL');
      const swapped = cloneClient(client, 'thief/1');
      swapped.cookies.set(names.refresh, access);
      const asCookie = await raw(target, 'POST', '/auth/refresh', {
        headers: browserHeaders(swapped),
      });
      expect(asCookie.status).toBe(401);

      // Refresh token as access token: as a bearer token and in the session cookie.
      const asBearer = await bearerMe(target, refresh);
      expect(asBearer.status).toBe(401);
      expect(errorCode(asBearer)).toBe('ERR_SESS_INVALID_CREDENTIAL');
      const asSession = await meWithCookies(target, `${names.session}=${refresh}`);
      expect(asSession.status).toBe(401);
      const profile = await raw(target, 'POST', '/account/profile', {
        headers: { authorization: `Bearer ${refresh}` },
        body: { displayName: 'pwned' },
      });
      expect(profile.status).toBe(401);

      // Nothing changed for the victim.
      expect(await sessionIdOf(client)).toBe(id);
      expect(refreshCredential(target, client)).toBe(refresh);
      expect((await client.request('POST', '/auth/refresh')).status).toBe(200);
    },
  );
});
