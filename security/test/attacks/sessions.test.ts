import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
import {
  DemoClient,
  MATRIX,
  sessionIdOf,
  startTarget,
  type Target,
  victim,
} from '../../src/target.ts';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 8 * 60 * MINUTE;
const RENEWAL = 60 * MINUTE;
const WINDOW = 10_000;
const SKEW = 30_000;

const clock = useFrozenDemoClock();

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const expectDead = async (client: DemoClient) => {
  await expect(sessionIdOf(cloneClient(client))).rejects.toThrow(/answered 401/);
};

describe.each(MATRIX)('sessions: %s × %s', (framework, strategy) => {
  let target: Target;
  let names: { session: string; refresh: string; csrf: string };
  beforeAll(async () => {
    target = await startTarget(framework, strategy);
    names = cookieNames(target);
  });
  afterAll(() => target?.close());

  /** True when nothing in the store has this id (revoke finds no record to delete). */
  const notStored = async (id: string) => {
    for (const user of ['u-alice', 'u-bob'])
      expect(await liveSessionIds(target, user)).not.toContain(id);
    expect(await target.sess.revoke(id)).toBe(false);
  };

  describe('fixation', () => {
    it('an attacker-chosen cookie value planted before login is never accepted or stored', async () => {
      const plantedId = b64(16);
      const planted = `${plantedId}.${b64(32)}`;
      const client = new DemoClient(target.url, 'victim-browser/1');
      client.cookies.set(names.session, planted);
      if (strategy !== 'database') client.cookies.set(names.refresh, planted);
      expect((await client.login()).status).toBe(200);
      expect(client.cookies.get(names.session)).not.toBe(planted);
      if (strategy !== 'database') expect(client.cookies.get(names.refresh)).not.toBe(planted);
      const id = await sessionIdOf(client);
      expect(id).not.toBe(plantedId);
      expect(refreshCredential(target, client).startsWith(`${plantedId}.`)).toBe(false);
      // The attacker's copy of the planted value gets nothing.
      expect((await meWithCookies(target, `${names.session}=${planted}`)).status).toBe(401);
      await expect(target.sess.refresh(planted)).rejects.toMatchObject({
        code: 'ERR_SESS_INVALID_CREDENTIAL',
      });
      await notStored(plantedId);
      expect(await sessionIdOf(client)).toBe(id);
    });

    it("the attacker's own valid session planted in the victim's browser ends at the victim's login", async () => {
      const attacker = new DemoClient(target.url, 'attacker/1');
      expect((await attacker.login('bob@example.com', 'bob-password-1')).status).toBe(200);
      const attackerId = await sessionIdOf(attacker);
      const client = cloneClient(attacker); // the planted cookies, attacker keeps a copy
      const login = await client.request('POST', '/auth/login', {
        email: 'alice@example.com',
        password: 'alice-password-1',
      });
      expect(login.status).toBe(200);
      const id = await sessionIdOf(client);
      expect(id).not.toBe(attackerId);
      expect((await client.request('GET', '/me')).body.user.id).toBe('u-alice');
      // The attacker's copy never reaches alice's session: it is dead.
      await expectDead(attacker);
      await notStored(attackerId);
    });

    it('the id changes at login, and the previous credential stops working at once', async () => {
      const client = await victim(target);
      const first = await sessionIdOf(client);
      const before = cloneClient(client, 'thief/1');
      expect((await client.login()).status).toBe(200);
      const second = await sessionIdOf(client);
      expect(second).not.toBe(first);
      await expectDead(before);
      expect((await before.request('POST', '/auth/refresh')).status).toBe(401);
      await notStored(first);
      expect(await sessionIdOf(client)).toBe(second);
    });
  });

  describe('cookies', () => {
    it('every cookie: HttpOnly, Secure, SameSite=Lax, prefixed, right Path, no Domain, generic name', async () => {
      const csrf = await raw(target, 'GET', '/auth/csrf', { headers: { origin: target.url } });
      const pre = csrf.setCookies.find((c) => c.name === names.csrf)!;
      const login = await raw(target, 'POST', '/auth/login', {
        headers: {
          origin: target.url,
          cookie: `${pre.name}=${pre.value}`,
          'x-csrf-token': csrf.body.csrfToken,
        },
        body: { email: 'alice@example.com', password: 'alice-password-1' },
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('cache-control')).toContain('no-store');
      const jar = new DemoClient(target.url, 'victim-browser/1');
      for (const c of [pre, ...login.setCookies]) jar.cookies.set(c.name, c.value);
      jar.csrfToken = login.body.csrfToken;
      const refresh = await raw(target, 'POST', '/auth/refresh', { headers: browserHeaders(jar) });
      expect(refresh.status).toBe(200);
      expect(refresh.headers.get('cache-control')).toContain('no-store');

      const all = [...csrf.setCookies, ...login.setCookies, ...refresh.setCookies];
      const seen = new Set(all.map((c) => c.name));
      expect(seen).toContain(names.session);
      expect(seen).toContain(names.csrf);
      if (strategy !== 'database') expect(seen).toContain(names.refresh);
      for (const c of all) {
        expect(c.attributes.get('httponly'), c.line).toBe(true);
        expect(c.attributes.get('secure'), c.line).toBe(true);
        expect(String(c.attributes.get('samesite')).toLowerCase(), c.line).toBe('lax');
        expect(c.attributes.has('domain'), c.line).toBe(false);
        // Generic: nothing names the library or the stack (`session` itself is generic).
        expect(c.name.toLowerCase(), c.line).not.toMatch(
          /(?:^|[-_.])sess(?:$|[-_.])|connect\.sid|express|koa|hono|jwt/,
        );
        if (c.name === names.refresh) {
          expect(c.name.startsWith('__Secure-'), c.line).toBe(true);
          expect(c.attributes.get('path'), c.line).toBe('/auth/refresh');
        } else {
          expect(c.name.startsWith('__Host-'), c.line).toBe(true);
          expect(c.attributes.get('path'), c.line).toBe('/');
        }
        const maxAge = c.attributes.get('max-age');
        if (c.value === '') {
          // A cookie the login clears (no pre-login value survives it): deleted at once.
          expect(maxAge, c.line).toBe('0');
        } else if (c.name === names.session && strategy !== 'database') {
          // The access-token cookie lives as long as the token, no longer.
          expect(Number(maxAge), c.line).toBeLessThanOrEqual(15 * 60);
        } else {
          // Standard class: browser-session cookies.
          expect(maxAge, c.line).toBeUndefined();
        }
      }
    });
  });

  describe('no token in a URL', () => {
    it('login and refresh answers carry no credential in a body, a Location or a link', async () => {
      const client = new DemoClient(target.url, 'victim-browser/1');
      await client.request('GET', '/auth/csrf');
      const login = await raw(target, 'POST', '/auth/login', {
        headers: browserHeaders(client),
        body: { email: 'alice@example.com', password: 'alice-password-1' },
      });
      expect(login.status).toBe(200);
      for (const c of login.setCookies) client.cookies.set(c.name, c.value);
      client.csrfToken = login.body.csrfToken;
      const refresh = await raw(target, 'POST', '/auth/refresh', {
        headers: browserHeaders(client),
      });
      expect(refresh.status).toBe(200);
      for (const reply of [login, refresh]) {
        expect(reply.headers.get('location')).toBeNull();
        for (const field of ['accessToken', 'refreshToken', 'sessionToken']) {
          expect(reply.body[field]).toBeUndefined();
        }
        for (const c of [...login.setCookies, ...refresh.setCookies]) {
          if (c.name !== names.csrf && c.value.length > 0)
            expect(reply.text).not.toContain(c.value);
        }
      }
    });

    it('no route redirects with a credential, and tokens in a query string are never read', async () => {
      const client = await victim(target);
      const id = await sessionIdOf(client);
      const credentials = [...client.cookies.values()];
      const headers = browserHeaders(client);
      for (const path of [
        '/',
        '/me/',
        '/auth/csrf/',
        '/.//evil.example/',
        '/auth/../me',
        '/index.html',
      ]) {
        const reply = await raw(target, 'GET', path, { headers });
        const location = reply.headers.get('location') ?? '';
        for (const value of credentials) expect(location).not.toContain(value);
        expect(location).not.toMatch(/token|session|csrf/i);
      }
      const token = client.cookies.get(names.session)!;
      const refresh = refreshCredential(target, client);
      for (const query of [
        `access_token=${token}`,
        `token=${token}`,
        `session=${token}`,
        `${names.session}=${token}`,
      ]) {
        expect((await raw(target, 'GET', `/me?${query}`)).status).toBe(401);
      }
      for (const query of [`refreshToken=${refresh}`, `sessionToken=${refresh}`]) {
        const reply = await raw(target, 'POST', `/auth/refresh?${query}`);
        expect(reply.status).toBe(401);
      }
      expect(await sessionIdOf(client)).toBe(id);
    });

    it('the page never sends a credential or token in a query string', async () => {
      const page = await raw(target, 'GET', '/');
      expect(page.status).toBe(200);
      const sources = [page.text];
      for (const src of page.text.matchAll(/<script[^>]*src="([^"]+)"/g)) {
        sources.push((await raw(target, 'GET', src[1]!)).text);
      }
      const script = (await raw(target, 'GET', '/app.js')).text;
      for (const imported of script.matchAll(/from\s+'(\/[^']+)'/g)) {
        sources.push((await raw(target, 'GET', imported[1]!)).text);
      }
      for (const text of sources) {
        expect(text).not.toMatch(
          /[?&](?:access_?token|refresh_?token|session_?token|token|_csrf|csrf)=/i,
        );
      }
      // A form without method="post" is a GET: submitted before the script loads (or without
      // it), it would put the password into the URL, its history and its logs.
      const forms = [...page.text.matchAll(/<form\b[^>]*>/g)].map((m) => m[0]);
      expect(forms.length).toBeGreaterThan(0);
      for (const form of forms) expect(form, form).toMatch(/\bmethod="post"/i);
    });
  });

  describe('timeouts at their boundaries', () => {
    /** A browser's refresh once its access cookie has expired (see refresh.test.ts). */
    const refreshAsBrowser = async (client: DemoClient) => {
      if (strategy !== 'database') {
        client.cookies.delete(names.session);
        expect((await client.request('GET', '/auth/csrf')).status).toBe(200);
      }
      return client.request('POST', '/auth/refresh');
    };

    it('idle: alive 1 ms before the limit (which slides it), dead exactly at it', async () => {
      const client = await victim(target);
      const id = await sessionIdOf(client);
      clock.advance(IDLE - 1);
      if (strategy === 'database') {
        expect(await sessionIdOf(client)).toBe(id); // the touch slides the idle deadline
      } else {
        // jwt and hybrid: the access token is long gone; idle is enforced at refresh.
        expect((await refreshAsBrowser(client)).status).toBe(200);
        expect(await sessionIdOf(client)).toBe(id);
      }
      const last = (await target.sess.list('u-alice')).find((s) => s.id === id)!;
      expect(last.idleExpiresAt).toBe(clock.now() + IDLE);
      clock.advance(IDLE - 1);
      expect((await target.sess.list('u-alice')).map((s) => s.id)).toContain(id);
      clock.advance(1);
      expect(await liveSessionIds(target)).not.toContain(id);
      const copy = cloneClient(client);
      const dead =
        strategy === 'database' ? await copy.request('GET', '/me') : await refreshAsBrowser(copy);
      expect(dead.status).toBe(401);
      // Its holder is told it timed out (the record is kept, hidden, for timeoutNotice).
      await expect(target.sess.refresh(refreshCredential(target, client))).rejects.toMatchObject({
        code: 'ERR_SESS_EXPIRED',
        limit: 'idle',
      });
    });

    it('absolute: kept active, the session still ends exactly at the absolute limit', async () => {
      const client = await victim(target);
      const id = await sessionIdOf(client);
      const { absoluteExpiresAt, createdAt } = (await target.sess.list('u-alice')).find(
        (s) => s.id === id,
      )!;
      expect(absoluteExpiresAt - createdAt).toBe(ABSOLUTE);
      const keepAlive = async () => {
        if (strategy === 'database') expect(await sessionIdOf(client)).toBe(id);
        else expect((await refreshAsBrowser(client)).status).toBe(200);
      };
      // jwt and hybrid refuse to refresh with less than a second left (an access token must
      // live at least 1 s, docs/tokens.md); database answers up to the last millisecond.
      const lastAlive = absoluteExpiresAt - (strategy === 'database' ? 1 : 1_000);
      while (clock.now() + 20 * MINUTE < lastAlive) {
        clock.advance(20 * MINUTE);
        await keepAlive();
      }
      clock.advance(lastAlive - clock.now());
      await keepAlive();
      const jar = cloneClient(client);
      clock.advance(absoluteExpiresAt - clock.now());
      expect(await liveSessionIds(target)).not.toContain(id);
      const dead =
        strategy === 'database' ? await jar.request('GET', '/me') : await refreshAsBrowser(jar);
      expect(dead.status).toBe(401);
    });

    it.runIf(strategy !== 'database')(
      'access token: accepted up to exp + clock skew, refused from that instant',
      async () => {
        const client = await victim(target);
        const token = client.cookies.get(names.session)!;
        const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
        expect(claims.exp - claims.iat).toBe(15 * 60);
        const headers = { authorization: `Bearer ${token}` };
        clock.advance(claims.exp * 1000 + SKEW - 1 - clock.now());
        expect((await raw(target, 'GET', '/me', { headers })).status).toBe(200);
        clock.advance(1);
        const late = await raw(target, 'GET', '/me', { headers });
        expect(late.status).toBe(401);
        expect(errorCode(late)).toBe('ERR_SESS_EXPIRED');
      },
    );

    // Renewal rotates the database credential; jwt and hybrid rotate at refresh instead.
    it.runIf(strategy === 'database')(
      'renewal: due exactly one interval after login; a copied cookie then collides and ends the session',
      async () => {
        const client = await victim(target);
        const id = await sessionIdOf(client);
        const stolen = cloneClient(client, 'thief/1');
        const original = client.cookies.get(names.session)!;
        const start = (await target.sess.list('u-alice')).find((s) => s.id === id)!.createdAt;
        for (const at of [20 * MINUTE, 40 * MINUTE, RENEWAL - 1]) {
          clock.advance(start + at - clock.now());
          const reply = await raw(target, 'GET', '/me', {
            headers: { cookie: cookieHeader(client) },
          });
          expect(reply.status).toBe(200);
          expect(setCookieValue(reply, names.session)).toBeUndefined();
        }
        clock.advance(1);
        const renewed = await raw(target, 'GET', '/me', {
          headers: { cookie: cookieHeader(client) },
        });
        expect(renewed.status).toBe(200);
        expect(renewed.headers.get('cache-control')).toContain('no-store');
        const successor = setCookieValue(renewed, names.session)!;
        expect(successor).toBeDefined();
        expect(successor).not.toBe(original);
        expect(successor.startsWith(`${id}.`)).toBe(true);
        client.cookies.set(names.session, successor);
        // In flight with the old cookie inside the window: accepted, pointed at the successor.
        clock.advance(WINDOW);
        const inflight = await raw(target, 'GET', '/me', {
          headers: { cookie: cookieHeader(stolen) },
        });
        expect(inflight.status).toBe(200);
        expect(setCookieValue(inflight, names.session)).toBe(successor);
        expect(await sessionIdOf(client)).toBe(id);
        // Past the window, the copy is reuse: the session ends for both.
        clock.advance(1);
        const reuse = await raw(target, 'GET', '/me', {
          headers: { cookie: cookieHeader(stolen) },
        });
        expect(reuse.status).toBe(401);
        expect(errorCode(reuse)).toBe('ERR_SESS_REFRESH_REUSED');
        await expectDead(client);
        await notStored(id);
      },
    );
  });
});
