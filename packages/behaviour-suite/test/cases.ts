import { request } from 'node:http';
import type { SessionManagerOptions, Strategy } from '@sess/core';
import { expect } from 'vitest';
import type { Target } from '../src/apps.ts';
import { Client, type Reply, type SetCookie, type Transcript } from '../src/client.ts';
import { type FixtureControl, ORIGIN, type TargetSetup } from '../src/fixture.ts';

/** What a case gets: the fixture behind the app, the app, and browser-like clients of it. */
export interface CaseContext {
  readonly fx: FixtureControl;
  readonly app: { readonly url: string };
  readonly strategy: Strategy;
  client(userAgent?: string): Client;
}

/** One behaviour, run on every target and compared by transcript. */
export interface Case {
  readonly name: string;
  /** The strategies the case runs in; every one when absent. */
  readonly strategies?: readonly Strategy[];
  /** Manager options: plain JSON, since the Bun target rebuilds its fixture from them. */
  readonly options?: Partial<SessionManagerOptions>;
  /** Logins allowed per minute and client; practically unlimited when absent. */
  readonly loginPoints?: number;
  run(ctx: CaseContext): Promise<void>;
}

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const BOB = { email: 'bob@example.com', password: 'bob-password-1' };
const SECOND = 1000;
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

async function loggedIn(ctx: CaseContext, user = ALICE, userAgent?: string): Promise<Client> {
  const client = ctx.client(userAgent);
  expect((await client.get('/auth/csrf')).status).toBe(200);
  const login = await client.post('/auth/login', { json: user });
  expect(login.status).toBe(200);
  return client;
}

const cookie = (reply: Reply, name: string): SetCookie | undefined =>
  reply.cookies.find((c) => c.name === name);
const withoutMaxAge = (c: SetCookie | undefined) =>
  c?.attributes.filter((a) => !a.startsWith('max-age='));
const refreshName = (strategy: Strategy) =>
  strategy === 'database' ? '__Host-session' : '__Secure-refresh';
/** GET /me with these Authorization headers, sent as separate lines (fetch would merge them). */
const statusWith = (url: string, authorization: string[]) =>
  new Promise<number | undefined>((resolve, reject) => {
    // Raw header lines: Node adds no Host to them, and HTTP/1.1 requires one.
    const headers = [
      'host',
      new URL(url).host,
      ...authorization.flatMap((v) => ['authorization', v]),
    ];
    request(`${url}/me`, { headers }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode));
    })
      .on('error', reject)
      .end();
  });
const code = (reply: Reply) => (reply.body.error as { code?: string } | undefined)?.code;

/** The behaviour cases, for every strategy unless `strategies` says otherwise. */
export const cases: Case[] = [
  {
    name: 'login sets hardened cookies, returns a CSRF token, and changes the session id',
    async run(ctx) {
      const client = ctx.client();
      const csrf = await client.get('/auth/csrf');
      expect(csrf.status).toBe(200);
      expect(cookie(csrf, '__Host-csrf')?.attributes).toEqual(
        expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=Lax']),
      );
      const bad = await client.post('/auth/login', { json: { ...ALICE, password: 'wrong' } });
      expect(bad.status).toBe(401);
      expect(code(bad)).toBe('ERR_SESS_LOGIN_FAILED');
      const login = await client.post('/auth/login', { json: ALICE });
      expect(login.status).toBe(200);
      expect(login.headers.get('cache-control')).toBe('no-store');
      expect(login.body.user).toEqual({ id: 'u-alice', email: ALICE.email });
      expect(typeof login.body.csrfToken).toBe('string');
      expect(login.body.refreshToken).toBeUndefined(); // a browser never sees it in a body
      const session = cookie(login, '__Host-session');
      expect(session?.attributes).toEqual(
        expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=Lax']),
      );
      expect(session?.attributes.some((a) => a.startsWith('domain='))).toBe(false);
      if (ctx.strategy !== 'database') {
        expect(cookie(login, '__Secure-refresh')?.attributes).toEqual(
          expect.arrayContaining(['path=/auth/refresh', 'httponly', 'secure', 'samesite=Lax']),
        );
        expect(login.body.accessToken).toBeUndefined(); // nor the access token: cookies carry both
        expect(login.body.expiresIn).toBeGreaterThan(0);
      }
      const first = (await client.get('/me')).body.sessionId;
      await client.post('/auth/login', { json: ALICE });
      const second = (await client.get('/me')).body.sessionId;
      expect(second).not.toBe(first);
    },
  },
  {
    name: 'me answers 401 with WWW-Authenticate without a session, 200 with one',
    async run(ctx) {
      const anonymous = await ctx.client().get('/me');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="sess"');
      // Nothing sent is not the same as something invalid sent: its own code says so.
      expect(anonymous.body.error).toEqual({
        code: 'ERR_SESS_NO_CREDENTIAL',
        message: 'No session credential was sent',
      });
      const signedOut = ctx.client();
      expect((await signedOut.get('/auth/csrf')).status).toBe(200);
      const noRefresh = await signedOut.post('/auth/refresh', { json: {} });
      expect([noRefresh.status, code(noRefresh)]).toEqual([401, 'ERR_SESS_NO_CREDENTIAL']);
      const client = await loggedIn(ctx);
      const me = await client.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.userId).toBe('u-alice');
      const forged = ctx.client();
      forged.jar.set('__Host-session', { value: 'forged.value', path: '/' });
      const refused = await forged.get('/me');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(code(refused)).toBe('ERR_SESS_INVALID_CREDENTIAL');
    },
  },
  {
    name: 'refresh rotates the credential and a retry inside the window gets the same successor',
    async run(ctx) {
      const client = await loggedIn(ctx);
      const name = refreshName(ctx.strategy);
      const before = client.jar.get(name)!.value;
      const first = await client.post('/auth/refresh');
      expect(first.status).toBe(200);
      const after = cookie(first, name)!.value;
      expect(after).not.toBe(before);
      client.jar.set(name, { ...client.jar.get(name)!, value: before }); // the response was lost
      const retry = await client.post('/auth/refresh');
      expect(retry.status).toBe(200);
      expect(cookie(retry, name)!.value).toBe(after);
      expect((await client.get('/me')).status).toBe(200);
    },
  },
  {
    name: '20 concurrent refreshes of one credential all get the same successor',
    async run(ctx) {
      const client = await loggedIn(ctx);
      const name = refreshName(ctx.strategy);
      const replies = await Promise.all(
        Array.from({ length: 20 }, () => client.post('/auth/refresh', { quiet: true })),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(replies.map((r) => cookie(r, name)!.value)).size).toBe(1);
      expect((await client.get('/me')).status).toBe(200);
    },
  },
  {
    name: 'a superseded credential reused after the window revokes the session',
    async run(ctx) {
      const client = await loggedIn(ctx);
      const name = refreshName(ctx.strategy);
      const stolen = client.jar.get(name)!;
      expect((await client.post('/auth/refresh')).status).toBe(200);
      await ctx.fx.advance(11 * SECOND);
      const field = ctx.strategy === 'database' ? 'sessionToken' : 'refreshToken';
      const reuse = await ctx.client('thief/1').post('/auth/refresh', {
        json: { [field]: stolen.value },
        headers: { origin: null, 'sec-fetch-site': null },
      });
      expect([reuse.status, code(reuse)]).toEqual([401, 'ERR_SESS_REFRESH_REUSED']);
      const victim = await client.post('/auth/refresh');
      expect(victim.status).toBe(401);
      expect(cookie(victim, name)?.attributes).toContain('max-age=0');
      expect(client.jar.has(name)).toBe(false);
    },
  },
  {
    name: 'logout revokes the session and clears every auth cookie with its own attributes',
    async run(ctx) {
      const client = ctx.client();
      const csrf = await client.get('/auth/csrf');
      const login = await client.post('/auth/login', { json: ALICE });
      const logout = await client.post('/auth/logout');
      expect(logout.status).toBe(200);
      expect(logout.headers.get('clear-site-data')).toBe('"cookies", "storage"');
      const set = [...csrf.cookies, ...login.cookies];
      const cleared = ['__Host-session', '__Secure-refresh', '__Host-csrf'].map((n) =>
        cookie(logout, n),
      );
      for (const c of cleared) {
        expect(c?.value).toBe('');
        expect(c?.attributes).toContain('max-age=0');
        const original = set.find((s) => s.name === c?.name);
        if (original) expect(withoutMaxAge(c)).toEqual(withoutMaxAge(original));
      }
      expect(client.jar.size).toBe(0);
      expect((await client.get('/me')).status).toBe(401);
    },
  },
  {
    name: 'logout-all ends every device, or every other device with exceptCurrent',
    async run(ctx) {
      const laptop = await loggedIn(ctx, ALICE, 'laptop/1');
      const phone = await loggedIn(ctx, ALICE, 'phone/1');
      const tablet = await loggedIn(ctx, ALICE, 'tablet/1');
      await ctx.fx.advance(SECOND); // watermarks have one-second resolution
      const others = await laptop.post('/auth/logout-all', { json: { exceptCurrent: true } });
      expect(others.status).toBe(200);
      expect(others.body).toEqual({ revoked: 2 });
      expect((await laptop.get('/me')).status).toBe(200);
      expect((await phone.get('/me')).status).toBe(401);
      const tabletAgain = await loggedIn(ctx, ALICE, 'tablet/2');
      const all = await laptop.post('/auth/logout-all', { json: {} });
      expect(all.body).toEqual({ revoked: 2 });
      expect(all.headers.get('clear-site-data')).not.toBeNull();
      expect((await laptop.get('/me')).status).toBe(401);
      expect((await tabletAgain.get('/me')).status).toBe(401);
      expect((await tablet.get('/me')).status).toBe(401);
    },
  },
  {
    name: 'list and revoke own sessions; 404 for anyone else’s',
    async run(ctx) {
      const laptop = await loggedIn(ctx, ALICE, CHROME_MAC);
      const phone = await loggedIn(ctx, ALICE, 'phone/1');
      const bob = await loggedIn(ctx, BOB, 'bob/1');
      const list = await laptop.get('/auth/sessions');
      expect(list.status).toBe(200);
      const sessions = list.body.sessions as {
        id: string;
        current: boolean;
        userAgent: string;
        label: string | null;
      }[];
      // The label is parsed when the list is read; a user agent that names nothing has none.
      expect(sessions.map((s) => [s.userAgent, s.label, s.current]).sort()).toEqual([
        [CHROME_MAC, 'Chrome 131 on macOS', true],
        ['phone/1', null, false],
      ]);
      expect(Object.keys(sessions[0]!).sort()).toEqual(
        [
          'createdAt',
          'current',
          'expiresAt',
          'id',
          'ip',
          'label',
          'lastActiveAt',
          'userAgent',
        ].sort(),
      );
      const bobsId = (await bob.get('/me')).body.sessionId as string;
      const foreign = await laptop.delete(`/auth/sessions/${bobsId}`);
      expect(foreign.status).toBe(404);
      expect(code(foreign)).toBe('ERR_SESS_NOT_FOUND');
      expect((await bob.get('/me')).status).toBe(200);
      const phoneId = sessions.find((s) => !s.current)!.id;
      expect((await laptop.delete(`/auth/sessions/${phoneId}`)).status).toBe(200);
      expect((await phone.get('/me')).status).toBe(401);
      expect((await laptop.delete(`/auth/sessions/${phoneId}`)).status).toBe(404);
    },
  },
  {
    name: 'CSRF: token checks on cookie-authenticated unsafe requests',
    async run(ctx) {
      const alice = await loggedIn(ctx);
      const bob = await loggedIn(ctx, BOB, 'bob/1');
      const post = (options: Parameters<Client['post']>[1] = {}) =>
        alice.post('/account/profile', { json: { displayName: 'A' }, ...options });
      expect((await post()).status).toBe(200);
      const missing = await post({ csrf: false });
      expect([missing.status, code(missing)]).toEqual([403, 'ERR_SESS_CSRF']);
      expect((await post({ csrf: bob.csrfToken! })).status).toBe(403);
      expect((await post({ csrf: 'garbage' })).status).toBe(403);
      // GET never mutates and needs no token; method overrides are not honoured.
      expect((await alice.get('/me', { csrf: false })).status).toBe(200);
      const override = await alice.post('/account/profile?_method=GET', {
        csrf: false,
        headers: { 'x-http-method-override': 'GET', 'x-method-override': 'GET' },
      });
      expect(override.status).toBe(403);
    },
  },
  {
    name: 'CSRF: Fetch Metadata and Origin',
    async run(ctx) {
      const alice = await loggedIn(ctx);
      const post = (headers: Record<string, string | null>) =>
        alice.post('/account/profile', { json: {}, headers });
      expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await post({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
      expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
      expect((await post({ origin: 'https://app.example.evil.com' })).status).toBe(403);
      expect((await post({ origin: 'https://evilapp.example' })).status).toBe(403);
      expect((await post({ origin: 'null' })).status).toBe(403);
      const referer = { origin: null, 'sec-fetch-site': null };
      expect((await post({ ...referer, referer: `${ORIGIN}/settings` })).status).toBe(200);
      expect((await post({ ...referer, referer: 'https://evil.example/app.example' })).status).toBe(
        403,
      );
      expect((await post(referer)).status).toBe(403);
      expect((await post({ 'sec-fetch-site': 'none' })).status).toBe(200);
    },
  },
  {
    name: 'CSRF: content types, duplicate cookies, login CSRF',
    async run(ctx) {
      const alice = await loggedIn(ctx);
      const plain = await alice.post('/account/profile', {
        raw: { type: 'text/plain', body: '{"displayName":"x"}' },
        csrf: false,
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      });
      expect(plain.status).toBe(403);
      const plainSameOrigin = await alice.post('/account/profile', {
        raw: { type: 'text/plain', body: '{}' },
        csrf: false,
      });
      expect(plainSameOrigin.status).toBe(403);
      const upper = await alice.post('/account/profile', {
        raw: { type: 'APPLICATION/JSON; Charset=UTF-8', body: '{"displayName":"x"}' },
      });
      expect(upper.status).toBe(200);
      const form = await alice.post('/auth/logout-all', {
        raw: {
          type: 'application/x-www-form-urlencoded',
          body: `exceptCurrent=true&_csrf=${encodeURIComponent(alice.csrfToken!)}`,
        },
        csrf: false,
      });
      expect(form.status).toBe(200);
      const session = alice.jar.get('__Host-session')!.value;
      const tossed = await alice.post('/account/profile', {
        json: {},
        headers: { cookie: `__Host-session=${session}; __Host-session=attacker` },
      });
      expect(tossed.status).toBe(403);
      const loginForm = ctx.client('victim/1');
      await loginForm.get('/auth/csrf');
      const noToken = await loginForm.post('/auth/login', { json: BOB, csrf: false });
      expect(noToken.status).toBe(403);
      const crossSite = await ctx.client('victim/2').post('/auth/login', {
        json: BOB,
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      });
      expect(crossSite.status).toBe(403);
    },
  },
  {
    name: 'a renewed session credential reaches the browser on the response, with no-store',
    strategies: ['database'],
    options: {
      sessions: { standard: { idleTimeout: '1h', absoluteTimeout: '8h', renewalInterval: '10m' } },
    },
    async run(ctx) {
      const client = await loggedIn(ctx);
      const before = client.jar.get('__Host-session')!.value;
      const quiet = await client.get('/me');
      expect(cookie(quiet, '__Host-session')).toBeUndefined();
      await ctx.fx.advance(11 * 60 * SECOND);
      const renewed = await client.get('/me');
      expect(renewed.status).toBe(200);
      expect(renewed.headers.get('cache-control')).toBe('no-store');
      expect(cookie(renewed, '__Host-session')?.value).not.toBe(before);
      expect((await client.get('/me')).status).toBe(200);
    },
  },
  {
    name: 'a store failure is a 503 with Retry-After, never a 401, nor a pass beyond staleness',
    async run(ctx) {
      const client = await loggedIn(ctx);
      await ctx.fx.setBroken(true);
      if (ctx.strategy === 'jwt') {
        // A jwt access token is checked against the revocation replica, with no store call, while
        // its last sync is younger than `revocation.staleness` (5s); after that the store is asked.
        expect((await client.get('/me')).status).toBe(200);
        await ctx.fx.advance(6 * SECOND);
      }
      const me = await client.get('/me');
      expect([me.status, code(me)]).toEqual([503, 'ERR_SESS_STORE']);
      expect(me.headers.get('retry-after')).toBe('1');
      const login = await ctx.client().post('/auth/login', {
        json: ALICE,
        headers: { origin: null, 'sec-fetch-site': null },
      });
      expect(login.status).toBe(503);
      expect((await client.post('/auth/refresh')).status).toBe(503);
      await ctx.fx.setBroken(false);
      expect((await client.get('/me')).status).toBe(200);
    },
  },
  {
    name: 'bearer mode for non-browser clients; a cookie next to a bearer still needs CSRF',
    async run(ctx) {
      const service = ctx.client('service/1');
      const bare = { origin: null, 'sec-fetch-site': null };
      const login = await service.post('/auth/login', { json: ALICE, headers: bare });
      expect(login.status).toBe(200);
      const credentialField = ctx.strategy === 'database' ? 'sessionToken' : 'refreshToken';
      const credential = login.body[credentialField] as string;
      expect(typeof credential).toBe('string');
      const bearer = ctx.strategy === 'database' ? credential : (login.body.accessToken as string);
      expect((await service.get('/me', { bearer })).status).toBe(200);
      expect((await service.post('/account/profile', { bearer, json: {} })).status).toBe(200);
      service.jar.clear();
      const refreshed = await service.post('/auth/refresh', {
        json: { [credentialField]: credential },
        headers: bare,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body[credentialField]).not.toBe(credential);
      const browser = await loggedIn(ctx, BOB);
      const mixed = await browser.post('/account/profile', {
        json: {},
        csrf: false,
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(mixed.status).toBe(403);
    },
  },
  {
    name: 'refresh after the access token expired passes CSRF, whether its cookie is gone or kept',
    strategies: ['jwt', 'hybrid'],
    async run(ctx) {
      for (const dropExpired of [true, false]) {
        const client = await loggedIn(ctx);
        await ctx.fx.advance(16 * 60 * SECOND); // past the 15-minute access token
        if (dropExpired) client.jar.delete('__Host-session'); // as a browser does at Max-Age
        expect((await client.get('/me')).status).toBe(401);
        const refreshed = await client.post('/auth/refresh');
        expect([refreshed.status, code(refreshed)]).toEqual([200, undefined]);
        expect((await client.get('/me')).status).toBe(200);
        // Still a CSRF check: the right session's token, and no other, passes.
        await ctx.fx.advance(16 * 60 * SECOND);
        client.jar.delete('__Host-session');
        const forged = await client.post('/auth/refresh', { csrf: 'forged' });
        expect([forged.status, code(forged)]).toEqual([403, 'ERR_SESS_CSRF']);
        // A pre-session token fetched meanwhile works too.
        expect((await client.get('/auth/csrf')).status).toBe(200);
        expect((await client.post('/auth/refresh')).status).toBe(200);
      }
    },
  },
  {
    name: 'a stale CSRF token on refresh is a 403, never a 401, while the refresh credential lives',
    strategies: ['jwt', 'hybrid'],
    async run(ctx) {
      const client = await loggedIn(ctx);
      const [oldAccess, oldToken] = [client.jar.get('__Host-session')!, client.csrfToken];
      // Another tab logs in again: a new session, new cookies, a new CSRF token.
      expect((await client.post('/auth/login', { json: ALICE })).status).toBe(200);
      // This tab still sends the old access cookie and the old token beside the new refresh cookie.
      client.jar.set('__Host-session', oldAccess);
      const refresh = client.jar.get('__Secure-refresh')!;
      const stale = await client.post('/auth/refresh', { csrf: oldToken! });
      // A 401 would tell the client it is signed out; a 403 makes it fetch a token and retry.
      expect([stale.status, code(stale)]).toEqual([403, 'ERR_SESS_CSRF']);
      client.jar.delete('__Host-session'); // the dead access cookie is gone once it expires
      client.jar.set('__Secure-refresh', refresh);
      expect((await client.post('/auth/refresh')).status).toBe(200);
    },
  },
  {
    name: 'two Authorization headers are refused, whichever comes first',
    async run(ctx) {
      const service = ctx.client('service/1');
      const bare = { origin: null, 'sec-fetch-site': null };
      const login = await service.post('/auth/login', { json: ALICE, headers: bare });
      const valid = (login.body.accessToken ?? login.body.sessionToken) as string;
      const forged = `${valid.slice(0, -4)}AAAA`;
      expect(await statusWith(ctx.app.url, [`Bearer ${valid}`])).toBe(200);
      for (const pair of [
        [valid, forged],
        [forged, valid],
        [valid, valid],
      ]) {
        expect(
          await statusWith(
            ctx.app.url,
            pair.map((t) => `Bearer ${t}`),
          ),
        ).toBe(401);
      }
    },
  },
  {
    name: 'no cookie value chosen before login survives it',
    async run(ctx) {
      const client = ctx.client();
      await client.get('/auth/csrf');
      const planted = { path: '/', value: 'chosen-by-attacker' };
      for (const name of ['__Host-session', '__Secure-refresh']) client.jar.set(name, planted);
      const before = new Map([...client.jar].map(([name, c]) => [name, c.value]));
      const login = await client.post('/auth/login', {
        json: ALICE,
        // The planted session cookie is not a session: the request is a plain pre-session login.
        headers: { cookie: `__Host-csrf=${before.get('__Host-csrf')}` },
      });
      expect(login.status).toBe(200);
      for (const [name, value] of before) {
        const set = cookie(login, name);
        expect(set, `${name} is set or cleared by the login response`).toBeDefined();
        expect(set!.value).not.toBe(value);
      }
    },
  },
  {
    name: 'a CSRF refusal says which check failed, in a fixed vocabulary',
    async run(ctx) {
      const alice = await loggedIn(ctx);
      const post = (options: Parameters<Client['post']>[1]) =>
        alice.post('/account/profile', { json: {}, ...options });
      const reasonOf = (reply: Reply) =>
        (reply.body.error as { details?: { reason?: string } }).details?.reason;
      expect(reasonOf(await post({ csrf: false }))).toBe('token-missing');
      const garbage = await post({ csrf: 'evil<script>' });
      expect(reasonOf(garbage)).toBe('token-invalid');
      expect(JSON.stringify(garbage.body)).not.toContain('evil');
      const cross = await post({
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      });
      expect(reasonOf(cross)).toBe('cross-site');
      expect(JSON.stringify(cross.body)).not.toContain('evil.example');
      expect(reasonOf(await post({ headers: { origin: 'https://evil.example' } }))).toBe(
        'origin-untrusted',
      );
      const me = await alice.get('/me', { headers: { cookie: '__Host-session=x.y' } });
      expect((me.body.error as { details?: unknown }).details).toBeUndefined();
    },
  },
  {
    name: 'failed logins, refused credentials and rate-limit hits are events and metrics',
    loginPoints: 3,
    async run(ctx) {
      const client = ctx.client();
      await client.get('/auth/csrf');
      await client.post('/auth/login', { json: { ...ALICE, password: 'wrong' } });
      await client.post('/auth/login', { json: { email: 'nobody@example.com', password: 'x' } });
      await client.post('/auth/login', { json: ALICE });
      expect((await client.post('/auth/login', { json: ALICE })).status).toBe(429);
      await ctx.client().get('/me', { headers: { cookie: '__Host-session=x.y' } });
      const metrics = await ctx.fx.metrics();
      expect(metrics.labels['login.failed']).toEqual({ 'bad-password': 1, 'unknown-account': 1 });
      expect(metrics.labels['ratelimit.exceeded']).toEqual({ login: 1 });
      expect(metrics.events['credential.refused']).toBeGreaterThanOrEqual(1);
      const logins = await ctx.fx.events('login.failed');
      expect(logins).toHaveLength(2);
      expect(JSON.stringify(logins)).not.toMatch(/alice|nobody|wrong/);
    },
  },
  {
    name: 'a timed-out session answers ERR_SESS_EXPIRED, a revoked one never does',
    options: { sessions: { standard: { idleTimeout: '10m', absoluteTimeout: '1h' } } },
    async run(ctx) {
      const idle = await loggedIn(ctx);
      const revoked = await loggedIn(ctx, BOB, 'bob/1');
      const [bobSession] = await ctx.fx.list('u-bob');
      await ctx.fx.revoke(bobSession!.id, 'admin');
      await ctx.fx.advance(11 * 60 * SECOND);
      // What a client does: the request fails, then its refresh says why.
      const me = await idle.get('/me');
      expect(me.status).toBe(401);
      if (ctx.strategy === 'database') expect(code(me)).toBe('ERR_SESS_EXPIRED');
      const refresh = await idle.post('/auth/refresh', { json: {} });
      expect([refresh.status, code(refresh)]).toEqual([401, 'ERR_SESS_EXPIRED']);
      expect((await ctx.fx.metrics()).events['session.expired']).toBe(1);
      const other = await revoked.post('/auth/refresh', { json: {} });
      expect(other.status).toBe(401);
      expect(code(other)).not.toBe('ERR_SESS_EXPIRED');
    },
  },
  {
    name: 'guest sessions: never on a GET, created by the first CSRF-checked write, upgraded at login carrying only the named keys',
    options: { guest: { lifetime: '7d' } },
    async run(ctx) {
      const client = ctx.client();
      const look = await client.get('/cart');
      expect([look.status, look.body]).toEqual([200, { cart: null }]);
      expect(cookie(look, '__Host-guest')).toBeUndefined();
      // A write without the CSRF token creates nothing.
      const forged = await client.post('/cart', { json: { item: 'sku-1' } });
      expect([forged.status, code(forged)]).toEqual([403, 'ERR_SESS_CSRF']);
      expect(cookie(forged, '__Host-guest')).toBeUndefined();
      await client.get('/auth/csrf');
      const first = await client.post('/cart', { json: { item: 'sku-1' } });
      expect([first.status, first.body]).toEqual([200, { cart: ['sku-1'] }]);
      expect(cookie(first, '__Host-guest')?.attributes).toEqual(
        expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=Lax', 'max-age=604800']),
      );
      expect(first.headers.get('cache-control')).toBe('no-store');
      const second = await client.post('/cart', { json: { item: 'sku-2' } });
      expect(second.body).toEqual({ cart: ['sku-1', 'sku-2'] });
      expect(cookie(second, '__Host-guest')).toBeUndefined();
      expect((await client.get('/cart')).body).toEqual({ cart: ['sku-1', 'sku-2'] });
      // The guest cookie is no user session.
      expect((await client.get('/me')).status).toBe(401);
      const guestCredential = client.cookieHeader('/');
      const login = await client.post('/auth/login', { json: ALICE });
      expect(login.status).toBe(200);
      expect(cookie(login, '__Host-guest')?.attributes).toContain('max-age=0');
      const [session] = await ctx.fx.list('u-alice');
      expect(session?.data).toEqual({ cart: ['sku-1', 'sku-2'] }); // `note` was not carried
      expect(guestCredential).not.toContain(session!.id);
      expect((await client.get('/me')).status).toBe(200);
      expect((await client.get('/cart')).body).toEqual({ cart: null });
      const devices = await client.get('/auth/sessions');
      expect((devices.body.sessions as unknown[]).length).toBe(1);
    },
  },
  {
    name: 'guest sessions: a size limit (413, nothing written), their own lifetime, outside the cap and device list',
    options: {
      guest: { lifetime: '1d', maxBytes: 64 },
      maxSessionsPerUser: { limit: 1, policy: 'reject' },
    },
    async run(ctx) {
      const alice = await loggedIn(ctx);
      const visitor = ctx.client('visitor/1');
      await visitor.get('/auth/csrf');
      expect((await visitor.post('/cart', { json: { item: 'a' } })).status).toBe(200);
      const big = await visitor.post('/cart', { json: { item: 'x'.repeat(100) } });
      expect([big.status, code(big)]).toEqual([413, 'ERR_SESS_GUEST_TOO_LARGE']);
      expect((await visitor.get('/cart')).body).toEqual({ cart: ['a'] });
      const devices = await alice.get('/auth/sessions');
      expect((devices.body.sessions as unknown[]).length).toBe(1);
      expect(await ctx.fx.list('u-alice')).toHaveLength(1);
      await ctx.fx.advance(24 * 3600 * SECOND);
      expect((await visitor.get('/cart')).body).toEqual({ cart: null });
      const fresh = await visitor.post('/cart', { json: { item: 'b' } });
      expect(fresh.body).toEqual({ cart: ['b'] });
      expect(cookie(fresh, '__Host-guest')).toBeDefined();
    },
  },
  {
    name: 'login is rate limited with 429 and Retry-After',
    loginPoints: 3,
    async run(ctx) {
      const client = ctx.client();
      await client.get('/auth/csrf');
      const wrong = { json: { ...ALICE, password: 'nope' } };
      for (let i = 0; i < 3; i++)
        expect((await client.post('/auth/login', wrong)).status).toBe(401);
      const limited = await client.post('/auth/login', { json: ALICE });
      expect([limited.status, code(limited)]).toEqual([429, 'ERR_SESS_RATE_LIMITED']);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    },
  },
  {
    name: 'requireFresh refuses a sign-in older than maxAge with a step-up challenge',
    async run(ctx) {
      const client = await loggedIn(ctx);
      expect((await client.post('/account/sensitive', { json: {} })).status).toBe(200);
      await ctx.fx.advance(6 * 60 * SECOND);
      const stale = await client.post('/account/sensitive', { json: {} });
      expect([stale.status, code(stale)]).toEqual([401, 'ERR_SESS_NOT_FRESH']);
      expect(stale.headers.get('www-authenticate')).toContain(
        'error="insufficient_user_authentication", max_age=300',
      );
    },
  },
];

/** The strategies every case runs in. */
export const STRATEGIES = ['database', 'jwt', 'hybrid'] as const;

/**
 * Runs case `c` on the target `start` gives it and returns its transcript; a failure names
 * `variant`.
 */
export async function runCase(
  c: Case,
  strategy: Strategy,
  variant: string,
  start: (setup: TargetSetup) => Promise<Target>,
): Promise<Transcript> {
  const setup: TargetSetup = {
    strategy,
    ...(c.options && { options: c.options }),
    ...(c.loginPoints !== undefined && { loginPoints: c.loginPoints }),
  };
  const target = await start(setup);
  const transcript: Transcript = [];
  try {
    await c.run({
      fx: target.fx,
      app: target,
      strategy,
      client: (userAgent) => new Client(target.url, transcript, userAgent),
    });
  } catch (error) {
    if (error instanceof Error) error.message = `[${variant}] ${error.message}`;
    throw error;
  } finally {
    await target.close();
  }
  return transcript;
}
