import { type ClientEvents, type ClientOptions, createClient, type SessClient } from '@sess/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningDemo } from '../src/demo.ts';
import {
  browserFetch,
  channelName,
  frozenTime,
  memoryLocks,
  next,
  recordingFetch,
  type Sent,
} from './client-support.ts';
import { CLIENT_FRAMEWORKS, DemoClient, startTestDemo } from './support.ts';

// Against the real demo (SQLite, DESIGN §5) on each framework: no server logic is mocked. A
// browser is played by `browserFetch` (a cookie jar and an Origin); time is frozen and timers are
// manual.

const LOGIN = { email: 'alice@example.com', password: 'alice-password-1' };
const ACCESS = '__Host-session';
const REFRESH = '__Secure-refresh';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const count = (sent: readonly Sent[], method: string, path: string) =>
  sent.filter((s) => s.method === method && s.path === path).length;

/** Gives a refresh that should not happen the time to reach the server (real time, not the clock's). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe.each(CLIENT_FRAMEWORKS)('@sess/client against the demo on %s', (framework) => {
  let demo: RunningDemo | undefined;
  const clients: SessClient[] = [];
  /** Every rotation the server performed (replays inside the reuse window included). */
  let refreshes: { retry: boolean }[] = [];

  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    for (const client of clients.splice(0)) client.close();
    await demo?.close();
    demo = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    demo = await startTestDemo({ SESS_FRAMEWORK: framework, SESS_STRATEGY: 'jwt', ...env });
    refreshes = [];
    demo.sess.on('session.refreshed', ({ retry }) => refreshes.push({ retry }));
    return demo;
  }

  function client(options: ClientOptions): SessClient {
    const created = createClient({ channel: null, ...options });
    clients.push(created);
    return created;
  }

  /** A cookie-mode client as a browser tab runs it, with a frozen clock. */
  async function tab(env: Record<string, string> = {}, options: ClientOptions = {}) {
    const { url } = demo ?? (await start(env));
    const browser = browserFetch(url);
    const time = frozenTime();
    const events: { name: keyof ClientEvents; payload: unknown }[] = [];
    const created = client({ baseUrl: url, fetch: browser.fetch, ...time, ...options });
    for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
      created.on(name, (payload) => events.push({ name, payload }));
    }
    return { url, client: created, browser, time, events };
  }

  describe('cookie mode (browsers)', () => {
    it('sends the CSRF header on unsafe requests only, and nothing to another origin', async () => {
      const { client, browser } = await tab();
      expect((await client.fetch('/auth/login', post(LOGIN))).status).toBe(200);
      expect((await client.fetch('/me')).status).toBe(200);
      expect((await client.fetch('/me', { method: 'HEAD' })).status).toBeLessThan(500);
      expect((await client.fetch('/account/profile', post({ displayName: 'Al' }))).status).toBe(
        200,
      );
      expect((await client.fetch('http://elsewhere.test/x', post({}))).status).toBe(200);

      const csrf = (s: Sent) => s.headers.get('x-csrf-token');
      const [first, login, me, head, profile, foreign] = browser.sent;
      // The first unsafe request fetched a token first.
      expect([first!.method, first!.path, csrf(first!)]).toEqual(['GET', '/auth/csrf', null]);
      expect(csrf(login!)).toMatch(/.{16}/);
      expect([csrf(me!), csrf(head!)]).toEqual([null, null]);
      expect(csrf(profile!)).toMatch(/.{16}/);
      expect(csrf(profile!)).not.toBe(csrf(login!)); // the login's new, session-bound token
      expect(profile!.credentials).toBe('include');
      expect([foreign!.path, csrf(foreign!), foreign!.credentials]).toEqual([
        '/x',
        null,
        undefined,
      ]);
      expect(browser.sent).toHaveLength(6);
    });

    it.each([
      ['default lifetime (15 min): 5 minutes before expiry', {}, 900_000, 600_000],
      ['60 s lifetime: half the lifetime before expiry', { SESS_ACCESS_TTL: '60' }, 60_000, 30_000],
    ])('refreshes ahead of expiry when active, %s', async (_name, env, lifetime, delay) => {
      const { client, time, events } = await tab(env);
      await client.fetch('/auth/login', post(LOGIN));
      expect(client.expiresAt).toBe(time.now() + lifetime);
      expect(time.pending()).toEqual([delay]);

      time.advance(delay - 1);
      client.activity(); // the user is here
      expect(refreshes).toHaveLength(0);
      expect(refreshes).toHaveLength(0);
      const refreshed = next(client, 'refreshed');
      time.advance(1);
      expect(await refreshed).toEqual({ expiresAt: time.now() + lifetime, remote: false });
      expect(refreshes).toEqual([{ retry: false }]);
      expect(time.pending()).toEqual([delay]);
      expect(events.map((e) => e.name)).toEqual(['refreshed', 'refreshed']); // login, then refresh
      expect((await client.fetch('/me')).status).toBe(200);
    });

    it('after sleeping past the expiry, refreshes once before the next request', async () => {
      const { client, time, browser } = await tab();
      await client.fetch('/auth/login', post(LOGIN));
      time.jump(3_600_000); // no timer ran
      const results = await Promise.all([client.fetch('/me'), client.fetch('/auth/sessions')]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(refreshes).toHaveLength(1);
      // Sent once, after the refresh: with the new access token.
      const me = browser.sent.filter((s) => s.path === '/me');
      expect(me).toHaveLength(1);
      expect(me[0]!.headers.get('cookie')).toContain(`${ACCESS}=${browser.cookies.get(ACCESS)}`);
    });

    it('50 parallel callers share one refresh request', async () => {
      const { client, browser } = await tab();
      await client.fetch('/auth/login', post(LOGIN));
      const results = await Promise.all(Array.from({ length: 50 }, () => client.refresh()));
      expect(new Set(results)).toEqual(new Set([true]));
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
      expect(refreshes).toEqual([{ retry: false }]);
    });

    it('50 parallel requests that get a 401 share one refresh, and each is retried once', async () => {
      const { client, browser } = await tab();
      await client.fetch('/auth/login', post(LOGIN));
      // The access token is gone (its cookie expired, or the page just loaded): every request 401s.
      browser.cookies.delete(ACCESS);
      const results = await Promise.all(Array.from({ length: 50 }, () => client.fetch('/me')));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      // One refresh: the server checks the session-bound CSRF token against the refresh cookie.
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
      expect(refreshes).toEqual([{ retry: false }]);
      expect(count(browser.sent, 'GET', '/me')).toBe(100);
    });

    it('does not loop when the refresh fails: one refresh, then the 401 stands', async () => {
      const { client, browser, events } = await tab();
      await client.fetch('/auth/login', post(LOGIN));
      browser.cookies.clear(); // every credential gone
      expect((await client.fetch('/me')).status).toBe(401);
      expect(events.map((e) => e.name)).toEqual(['refreshed', 'loggedOut']);
      expect((await client.fetch('/me')).status).toBe(401);
      expect(await client.refresh()).toBe(false);
      expect(count(browser.sent, 'GET', '/me')).toBe(2);
      // One refresh, plus its single retry with a fresh CSRF token after the server's 403.
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(2);
      expect(client.expiresAt).toBeNull();
    });

    it('ends in loggedOut, in this tab and the others, when the session was revoked', async () => {
      const { url } = await start();
      const name = channelName();
      const browser = browserFetch(url);
      const tabs = [0, 1].map(() => client({ baseUrl: url, fetch: browser.fetch, channel: name }));
      await tabs[0]!.fetch('/auth/login', post(LOGIN));
      const elsewhere = new DemoClient(url);
      await elsewhere.login();
      expect((await elsewhere.request('POST', '/auth/logout-all', {})).body).toEqual({
        revoked: 2,
      });

      const remote = next(tabs[1]!, 'loggedOut');
      const local = next(tabs[0]!, 'loggedOut');
      expect(await tabs[0]!.refresh()).toBe(false);
      // "Log out everywhere" deleted the session: its refresh credential is unknown now.
      expect(await local).toEqual({ code: 'ERR_SESS_INVALID_CREDENTIAL', remote: false });
      expect(await remote).toEqual({ code: 'ERR_SESS_INVALID_CREDENTIAL', remote: true });
      expect(await tabs[1]!.refresh()).toBe(false);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
    });

    it('keeps the session through a 503 from refresh, and tries again later', async () => {
      const { url } = await start();
      const browser = browserFetch(url);
      const time = frozenTime();
      // A transient fault between client and server, as when the store is down (sess fails closed).
      let faults = 2;
      const faulty: typeof fetch = (input, init) =>
        new URL(String(input)).pathname === '/auth/refresh' && faults-- > 0
          ? Promise.resolve(
              Response.json(
                { error: { code: 'ERR_SESS_STORE', message: 'down' } },
                { status: 503 },
              ),
            )
          : browser.fetch(input, init);
      const flaky = client({ baseUrl: url, fetch: faulty, ...time });
      await flaky.fetch('/auth/login', post(LOGIN));
      const expiresAt = flaky.expiresAt;
      const events: string[] = [];
      for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
        flaky.on(name, () => events.push(name));
      }
      expect(await flaky.refresh()).toBe(false);
      expect(events).toEqual([]);
      expect(flaky.expiresAt).toBe(expiresAt);
      // A 401 whose refresh meets a 503 is answered as is: no logout, no loop.
      browser.cookies.delete(ACCESS);
      expect((await flaky.fetch('/me')).status).toBe(401);
      expect(events).toEqual([]);
      expect(count(browser.sent, 'GET', '/me')).toBe(1);
      // The next try comes 0.5 s later (inside the server's reuse window), and reaches the server.
      expect(time.pending()).toEqual([500]);
      const refreshed = next(flaky, 'refreshed');
      time.advance(500);
      await refreshed;
      expect(refreshes).toEqual([{ retry: false }]);
      expect((await flaky.fetch('/me')).status).toBe(200);
      expect(events).toEqual(['refreshed']);
    });

    it('maps ERR_SESS_EXPIRED from the refresh endpoint to expired, anything else to loggedOut', async () => {
      // The rule itself, on canned answers (the demo cannot age a session by 30 minutes).
      for (const [code, event] of [
        ['ERR_SESS_EXPIRED', 'expired'],
        ['ERR_SESS_REVOKED', 'loggedOut'],
        ['ERR_SESS_REFRESH_REUSED', 'loggedOut'],
        ['ERR_SESS_INVALID_CREDENTIAL', 'loggedOut'],
      ] as const) {
        const answer: typeof fetch = async (input) =>
          new URL(String(input)).pathname === '/auth/csrf'
            ? Response.json({ csrfToken: 't' })
            : Response.json({ error: { code, message: 'no' } }, { status: 401 });
        const c = client({ baseUrl: 'http://sess.test', fetch: answer });
        const seen: string[] = [];
        for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
          c.on(name, () => seen.push(name));
        }
        expect(await c.refresh()).toBe(false);
        expect(seen).toEqual([event]);
      }
    });

    it('announces a logout through the client as loggedOut, to the other tabs too', async () => {
      const { url } = await start();
      const name = channelName();
      const browser = browserFetch(url);
      const [one, two] = [0, 1].map(() =>
        client({ baseUrl: url, fetch: browser.fetch, channel: name }),
      ) as [SessClient, SessClient];
      const learned = next(two, 'refreshed');
      await one.fetch('/auth/login', post(LOGIN));
      expect(await learned).toEqual({ expiresAt: one.expiresAt, remote: true });
      expect(two.expiresAt).toBe(one.expiresAt);
      const remote = next(two, 'loggedOut');
      expect((await one.fetch('/auth/logout', post({}))).status).toBe(200);
      expect(await remote).toEqual({ code: null, remote: true });
    });
  });

  describe('the idle timeout: only an app in use is refreshed ahead of expiry', () => {
    it('an idle client makes no background refresh across several lifetimes', async () => {
      const { client, time, browser, events } = await tab({ SESS_ACCESS_TTL: '60' });
      await client.fetch('/auth/login', post(LOGIN));
      for (let i = 0; i < 5; i++) {
        time.advance(60_000);
        await settle();
      }
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(0);
      expect(refreshes).toHaveLength(0);
      expect(time.pending()).toEqual([]);
      expect(events.map((e) => e.name)).toEqual(['refreshed']); // the login
      // The user comes back: the request made after expiry refreshes first.
      expect((await client.fetch('/me')).status).toBe(200);
      expect(refreshes).toEqual([{ retry: false }]);
      const me = browser.sent.filter((s) => s.path === '/me');
      expect(me).toHaveLength(1);
      expect(me[0]!.headers.get('cookie')).toContain(`${ACCESS}=${browser.cookies.get(ACCESS)}`);
    });

    it('an active client refreshes ahead of expiry, once per period of activity', async () => {
      const { client, time, browser } = await tab({ SESS_ACCESS_TTL: '60' });
      await client.fetch('/auth/login', post(LOGIN));
      time.advance(10_000);
      expect((await client.fetch('/me')).status).toBe(200); // activity
      let refreshed = next(client, 'refreshed');
      time.advance(20_000); // the refresh time: half the lifetime
      await refreshed;
      expect(refreshes).toHaveLength(1);
      // Idle for the next period: its timer fires and does nothing.
      expect(time.pending()).toEqual([30_000]);
      time.advance(30_000);
      await settle();
      expect(refreshes).toHaveLength(1);
      // Requests past the refresh time refresh in the background, before expiry.
      refreshed = next(client, 'refreshed');
      time.advance(10_000);
      expect((await client.fetch('/me')).status).toBe(200);
      await refreshed;
      expect(refreshes).toHaveLength(2);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(2);
    });

    it('activity() counts: before the refresh time it arms the timer, after it it refreshes', async () => {
      const { client, time, browser } = await tab({ SESS_ACCESS_TTL: '60' });
      await client.fetch('/auth/login', post(LOGIN));
      time.advance(5_000);
      client.activity();
      let refreshed = next(client, 'refreshed');
      time.advance(25_000);
      await refreshed;
      expect(refreshes).toHaveLength(1);
      // No activity in this period: the timer passes; a key press after it refreshes at once.
      time.advance(45_000);
      await settle();
      expect(refreshes).toHaveLength(1);
      refreshed = next(client, 'refreshed');
      client.activity();
      client.activity();
      await refreshed;
      expect(refreshes).toHaveLength(2);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(2);
      // Only requests to the server count; auth routes and other origins do not.
      time.advance(60_000);
      await client.fetch('http://elsewhere.test/x');
      await settle();
      expect(refreshes).toHaveLength(2);
    });

    it('activity in another tab counts, even in a tab that never learned the expiry', async () => {
      const { url } = await start({ SESS_ACCESS_TTL: '60' });
      const name = channelName();
      const browser = browserFetch(url);
      const time = frozenTime();
      const open = () => client({ baseUrl: url, fetch: browser.fetch, channel: name, ...time });
      const idle = open();
      await idle.fetch('/auth/login', post(LOGIN));
      const late = open(); // opened after the login: knows no expiry, has no timer
      expect(late.expiresAt).toBeNull();
      await settle();
      late.activity();
      await settle(); // the message lands
      const learned: ClientEvents['refreshed'][] = [];
      late.on('refreshed', (payload) => learned.push(payload));
      time.advance(30_000); // the idle tab's timer: the late tab's activity counts
      await expect.poll(() => learned.length).toBe(1);
      expect(idle.expiresAt).toBe(time.now() + 60_000);
      expect(learned).toEqual([{ expiresAt: idle.expiresAt, remote: true }]);
      expect(refreshes).toEqual([{ retry: false }]);
    });
  });

  describe('logging out through the client', () => {
    it('logoutAll() ends this tab and every other tab at once: loggedOut once each', async () => {
      const { url } = await start();
      const name = channelName();
      const browser = browserFetch(url);
      const tabs = [0, 1, 2].map(() =>
        client({ baseUrl: url, fetch: browser.fetch, channel: name }),
      ) as [SessClient, SessClient, SessClient];
      const seen: string[] = [];
      tabs.forEach((t, i) => {
        t.on('loggedOut', ({ code, remote }) => seen.push(`${i}:${code}:${remote}`));
        t.on('expired', () => seen.push(`${i}:expired`));
      });
      await tabs[0].fetch('/auth/login', post(LOGIN));
      const elsewhere = new DemoClient(url);
      await elsewhere.login();
      const remote = Promise.all([next(tabs[1], 'loggedOut'), next(tabs[2], 'loggedOut')]);
      const res = await tabs[0].logoutAll();
      expect(await res.json()).toEqual({ revoked: 2 });
      expect(seen).toEqual(['0:null:false']);
      await remote;
      await settle();
      expect(seen.sort()).toEqual(['0:null:false', '1:null:true', '2:null:true']);
      // Every tab stops: no refresh, and no second ending.
      expect(await Promise.all(tabs.map((t) => t.refresh()))).toEqual([false, false, false]);
      expect((await tabs[1].fetch('/me')).status).toBe(401);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(0);
      expect(seen).toHaveLength(3);
      const body = JSON.parse(browser.sent.find((s) => s.path === '/auth/logout-all')!.body!);
      expect(body).toEqual({ exceptCurrent: false });
      expect((await elsewhere.request('GET', '/me')).status).toBe(401);
    });

    it('logoutAll({ exceptCurrent: true }) logs out the other devices, not this browser', async () => {
      const { client: here, browser, events, url } = await tab();
      await here.fetch('/auth/login', post(LOGIN));
      const elsewhere = new DemoClient(url);
      await elsewhere.login();
      const res = await here.logoutAll({ exceptCurrent: true });
      expect(await res.json()).toEqual({ revoked: 1 });
      await settle();
      expect(events.map((e) => e.name)).toEqual(['refreshed']);
      expect((await here.fetch('/me')).status).toBe(200);
      expect(await here.refresh()).toBe(true);
      expect((await elsewhere.request('GET', '/me')).status).toBe(401);
      expect(count(browser.sent, 'POST', '/auth/logout-all')).toBe(1);
    });

    it('logout() ends the session here and in the other tabs', async () => {
      const { url } = await start();
      const name = channelName();
      const browser = browserFetch(url);
      const [one, two] = [0, 1].map(() =>
        client({ baseUrl: url, fetch: browser.fetch, channel: name }),
      ) as [SessClient, SessClient];
      await one.fetch('/auth/login', post(LOGIN));
      const local = next(one, 'loggedOut');
      const remote = next(two, 'loggedOut');
      expect((await one.logout()).status).toBe(200);
      expect(await local).toEqual({ code: null, remote: false });
      expect(await remote).toEqual({ code: null, remote: true });
      expect((await one.fetch('/me')).status).toBe(401);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(0);
    });
  });

  describe('across tabs (Web Locks and BroadcastChannel)', () => {
    it('ignores a message type it does not know (a newer client in another tab)', async () => {
      const name = channelName();
      const quiet = client({
        baseUrl: 'http://sess.test',
        channel: name,
        fetch: () => Promise.reject(new Error('no request expected')),
      });
      const seen: string[] = [];
      for (const event of ['refreshed', 'expired', 'loggedOut'] as const) {
        quiet.on(event, () => seen.push(event));
      }
      const newer = new BroadcastChannel(name);
      newer.postMessage({ type: 'somethingNew', code: 'ERR_SESS_REVOKED' });
      newer.postMessage({ type: 'active' });
      await settle();
      newer.close();
      expect(seen).toEqual([]);
    });

    it('a tab that waited for the lock does not refresh again', async () => {
      const { url } = await start();
      const name = channelName();
      const locks = memoryLocks();
      const browser = browserFetch(url);
      const tabs = [0, 1, 2, 3].map(() =>
        client({ baseUrl: url, fetch: browser.fetch, channel: name, locks }),
      );
      await tabs[0]!.fetch('/auth/login', post(LOGIN));
      const results = await Promise.all(tabs.map((t) => t.refresh()));
      expect(results).toEqual([true, true, true, true]);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
      expect(refreshes).toEqual([{ retry: false }]);
      expect(new Set(tabs.map((t) => t.expiresAt)).size).toBe(1);
    });

    it('a refresh message landing while a waiting tab reads the lock records: one event per tab', async () => {
      const { url } = await start();
      const name = channelName();
      // Messages cross to the other tabs late (as between a browser's processes), and the lock
      // records are slow to read: the refresh's message lands while the next tab reads them.
      vi.stubGlobal(
        'BroadcastChannel',
        class extends BroadcastChannel {
          override postMessage(message: unknown) {
            setTimeout(() => super.postMessage(message), 10);
          }
        },
      );
      const locks = memoryLocks(50);
      const browser = browserFetch(url);
      const tabs = [0, 1, 2, 3].map(() =>
        client({ baseUrl: url, fetch: browser.fetch, channel: name, locks }),
      );
      await tabs[0]!.fetch('/auth/login', post(LOGIN));
      await settle(); // the login's own message
      const events = tabs.map((t) => {
        const remotes: boolean[] = [];
        t.on('refreshed', ({ remote }) => remotes.push(remote));
        return remotes;
      });
      expect(await Promise.all(tabs.map((t) => t.refresh()))).toEqual([true, true, true, true]);
      await settle();
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
      expect(events).toEqual([[false], [true], [true], [true]]);
      expect(new Set(tabs.map((t) => t.expiresAt)).size).toBe(1);
    });

    it('an orphaned lock cannot deadlock: past lockTimeout, the tab refreshes anyway', async () => {
      const { url } = await start();
      const browser = browserFetch(url);
      const time = frozenTime();
      const locks = memoryLocks();
      locks.hold('orphan:refresh');
      const stuck = client({
        baseUrl: url,
        fetch: browser.fetch,
        channel: 'orphan',
        locks,
        lockTimeout: 5_000,
        ...time,
      });
      await stuck.fetch('/auth/login', post(LOGIN));
      let settled = false;
      const outcome = stuck.refresh().finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      expect(time.pending()).toContain(5_000);
      time.advance(5_000);
      expect(await outcome).toBe(true);
      expect(refreshes).toEqual([{ retry: false }]);
    });
  });

  describe('bearer mode (Node services)', () => {
    it('holds tokens in memory, sends them as Bearer and in the refresh body, no CSRF', async () => {
      const { url } = await start();
      const { fetch, sent } = recordingFetch();
      const service = client({ mode: 'bearer', baseUrl: url, fetch });
      const login = await (await service.fetch('/auth/login', post(LOGIN))).json();
      expect(login).toMatchObject({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect((await service.fetch('/me')).status).toBe(200);
      expect(sent.at(-1)!.headers.get('authorization')).toBe(`Bearer ${login.accessToken}`);

      expect(await service.refresh()).toBe(true);
      const refresh = sent.at(-1)!;
      expect(JSON.parse(refresh.body!)).toEqual({ refreshToken: login.refreshToken });
      expect((await service.fetch('/account/profile', post({ displayName: 'Svc' }))).status).toBe(
        200,
      );
      const profile = sent.at(-1)!;
      expect(profile.headers.get('authorization')).toMatch(/^Bearer /);
      expect(profile.headers.get('authorization')).not.toBe(`Bearer ${login.accessToken}`);
      expect(sent.some((s) => s.headers.has('x-csrf-token') || s.headers.has('cookie'))).toBe(
        false,
      );
      expect(sent.some((s) => s.path === '/auth/csrf')).toBe(false);
    });

    it('starts from a refresh token alone: 401, refresh, retry', async () => {
      const { url } = await start();
      const raw = await (await fetch(`${url}/auth/login`, post(LOGIN))).json();
      const { fetch: recorded, sent } = recordingFetch();
      const service = client({
        mode: 'bearer',
        baseUrl: url,
        fetch: recorded,
        tokens: { refreshToken: raw.refreshToken },
      });
      expect((await service.fetch('/me')).status).toBe(200);
      expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
        'GET /me',
        'POST /auth/refresh',
        'GET /me',
      ]);
    });

    it('schedules the refresh from initial tokens that carry expiresIn', () => {
      const time = frozenTime();
      const service = client({
        mode: 'bearer',
        baseUrl: 'http://sess.test',
        tokens: { expiresIn: 60 },
        ...time,
      });
      expect(service.expiresAt).toBe(time.now() + 60_000);
      expect(time.pending()).toEqual([30_000]);
    });

    it('uses the session token in the database strategy', async () => {
      const { url } = await start({ SESS_STRATEGY: 'database' });
      const { fetch, sent } = recordingFetch();
      const service = client({ mode: 'bearer', baseUrl: url, fetch });
      const login = await (await service.fetch('/auth/login', post(LOGIN))).json();
      expect(login.sessionToken).toEqual(expect.any(String));
      expect(service.expiresAt).toBeNull();
      expect((await service.fetch('/me')).status).toBe(200);
      expect(await service.refresh()).toBe(true);
      expect(JSON.parse(sent.at(-1)!.body!)).toEqual({ sessionToken: login.sessionToken });
      expect((await service.fetch('/me')).status).toBe(200);
      expect(sent.at(-1)!.headers.get('authorization')).not.toBe(`Bearer ${login.sessionToken}`);
    });
  });

  describe('answers that may have been applied: retries stay inside the reuse window', () => {
    const STORE_DOWN = () =>
      Response.json({ error: { code: 'ERR_SESS_STORE', message: 'down' } }, { status: 503 });
    const failures = [
      ['a 503', async () => STORE_DOWN(), false],
      [
        'a network error',
        () => Promise.reject(new TypeError('fetch failed')),
        expect.any(TypeError) as unknown,
      ],
    ] as const;

    /**
     * The demo on the test's frozen clock (sess reads `Date.now`), so its reuse window (10 s) runs
     * on the time the test moves; and what the server says about theft.
     */
    async function server() {
      const { url, sess } = await start();
      const time = frozenTime();
      vi.spyOn(Date, 'now').mockImplementation(time.now);
      const alarms: string[] = [];
      sess.on('refresh.reused', () => alarms.push('refresh.reused'));
      sess.on('session.revoked', ({ reason }) => alarms.push(`session.revoked:${reason}`));
      return { url, time, alarms };
    }

    /**
     * The refresh route through an outage: the first refresh reaches the server (which rotates) and
     * its answer is lost (`forget` undoes what it delivered); later ones are answered 503 without
     * reaching the server (the store is down) for 30 s, after which the store is back and every
     * refresh reaches the server. `attempts` holds when each refresh left, in ms since the start.
     */
    function outage(
      time: ReturnType<typeof frozenTime>,
      inner: typeof fetch,
      forget: () => () => void = () => () => {},
    ) {
      const start = time.now();
      const attempts: number[] = [];
      const fetcher: typeof fetch = async (input, init) => {
        if (new URL(String(input)).pathname !== '/auth/refresh') return inner(input, init);
        attempts.push(time.now() - start);
        if (attempts.length === 1) {
          const undo = forget();
          await inner(input, init);
          undo();
        }
        return time.now() - start < 30_000 ? STORE_DOWN() : inner(input, init);
      };
      return { fetch: fetcher, attempts };
    }

    /** Undoes the cookies an answer set: the answer never reached the browser. */
    const keepCookies = (browser: ReturnType<typeof browserFetch>) => () => {
      const jar = new Map(browser.cookies);
      return () => {
        browser.cookies.clear();
        for (const [name, value] of jar) browser.cookies.set(name, value);
      };
    };

    /** Runs the retries of a refresh that failed at the start: at 0.5, 1, 2 and 4 s, then none. */
    async function retries(time: ReturnType<typeof frozenTime>) {
      for (const delay of [500, 500, 1_000, 2_000]) {
        expect(time.pending()).toContain(delay);
        time.advance(delay);
        await settle();
      }
    }

    it.each(failures)(
      'cookie mode: rotation applied, answer lost (%s), retry: the same successor',
      async (_name, lose, outcome) => {
        const { url, time, alarms } = await server();
        const browser = browserFetch(url);
        let lost: string | undefined; // the successor the lost answer's Set-Cookie carried
        const lossy: typeof fetch = async (input, init) => {
          if (new URL(String(input)).pathname !== '/auth/refresh' || lost !== undefined) {
            return browser.fetch(input, init);
          }
          const jar = new Map(browser.cookies);
          await browser.fetch(input, init); // it reached the server, which rotated
          lost = browser.cookies.get(REFRESH);
          browser.cookies.clear(); // its answer never arrived: the browser kept the old cookies
          for (const [name, value] of jar) browser.cookies.set(name, value);
          return lose();
        };
        const tab = client({ baseUrl: url, fetch: lossy, ...time });
        const events: string[] = [];
        for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
          tab.on(name, () => events.push(name));
        }
        await tab.fetch('/auth/login', post(LOGIN));
        const old = browser.cookies.get(REFRESH);

        expect(await tab.refresh().catch((error: unknown) => error)).toEqual(outcome);
        expect(refreshes).toEqual([{ retry: false }]); // rotated on the server
        expect(lost).not.toBe(old);
        expect(browser.cookies.get(REFRESH)).toBe(old);
        // The retry comes 0.5 s later, with the same (old) cookie: the server recovers the
        // successor.
        expect(time.pending()).toEqual([500]);
        const refreshed = next(tab, 'refreshed');
        time.advance(500);
        await refreshed;
        expect(refreshes).toEqual([{ retry: false }, { retry: true }]);
        expect(browser.cookies.get(REFRESH)).toBe(lost);
        expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(2);
        // The session goes on: requests, and the next rotation, from the recovered successor.
        expect((await tab.fetch('/me')).status).toBe(200);
        expect(await tab.refresh()).toBe(true);
        expect(refreshes).toEqual([{ retry: false }, { retry: true }, { retry: false }]);
        expect(events).toEqual(['refreshed', 'refreshed', 'refreshed']); // login, retry, refresh
        expect(alarms).toEqual([]);
      },
    );

    it.each(failures)(
      'bearer mode: rotation applied, answer lost (%s), retry: the same successor',
      async (_name, lose, outcome) => {
        const { url, time, alarms } = await server();
        const { fetch: recorded, sent } = recordingFetch();
        let lost: string | undefined; // the refresh token in the lost answer
        const lossy: typeof fetch = async (input, init) => {
          const res = await recorded(input, init);
          if (new URL(String(input)).pathname !== '/auth/refresh' || lost !== undefined) return res;
          lost = (await res.json()).refreshToken;
          return lose();
        };
        const service = client({ mode: 'bearer', baseUrl: url, fetch: lossy, ...time });
        const events: string[] = [];
        for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
          service.on(name, () => events.push(name));
        }
        const { refreshToken } = await (await service.fetch('/auth/login', post(LOGIN))).json();

        expect(await service.refresh().catch((error: unknown) => error)).toEqual(outcome);
        expect(refreshes).toEqual([{ retry: false }]);
        const refreshed = next(service, 'refreshed');
        time.advance(500);
        await refreshed;
        expect(refreshes).toEqual([{ retry: false }, { retry: true }]);
        const bodies = () =>
          sent
            .filter((s) => s.path === '/auth/refresh')
            .map((s) => JSON.parse(s.body!).refreshToken);
        expect(bodies()).toEqual([refreshToken, refreshToken]); // the same token, inside the window
        expect((await service.fetch('/me')).status).toBe(200);
        expect(await service.refresh()).toBe(true);
        expect(bodies()).toEqual([refreshToken, refreshToken, lost]); // the recovered successor
        expect(events).toEqual(['refreshed', 'refreshed', 'refreshed']);
        expect(alarms).toEqual([]);
      },
    );

    it('cookie mode: a 503 lasting past the window: the old cookie is never presented again', async () => {
      const { url, time, alarms } = await server();
      const browser = browserFetch(url);
      const { fetch: outageFetch, attempts } = outage(time, browser.fetch, keepCookies(browser));
      const tab = client({ baseUrl: url, fetch: outageFetch, ...time });
      const events: { name: string; payload: unknown }[] = [];
      for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
        tab.on(name, (payload) => events.push({ name, payload }));
      }
      await tab.fetch('/auth/login', post(LOGIN));
      const access = browser.cookies.get(ACCESS);
      events.length = 0;

      expect(await tab.refresh()).toBe(false);
      expect(refreshes).toEqual([{ retry: false }]);
      // Retries at 0.5, 1, 2 and 4 s, all inside the first half of the window; then none.
      await retries(time);
      expect(time.pending()).toEqual([]);
      expect(attempts).toEqual([0, 500, 1_000, 2_000, 4_000]);
      // The session stands: no event; the access token still works, and activity refreshes nothing.
      time.advance(60_000); // the store is back
      tab.activity();
      expect((await tab.fetch('/me')).status).toBe(200);
      time.advance(11 * 60_000); // past the refresh time
      tab.activity();
      expect((await tab.fetch('/me')).status).toBe(200);
      await settle();
      expect(events).toEqual([]);
      expect(attempts).toHaveLength(5);
      // A refresh is needed now (the access token is gone): the client does not present the old
      // cookie, past the window; the session is over for this client, not revoked on the server.
      browser.cookies.delete(ACCESS);
      expect((await tab.fetch('/me')).status).toBe(401);
      expect(await tab.refresh()).toBe(false);
      expect(events).toEqual([
        { name: 'loggedOut', payload: { code: 'ERR_SESS_REFRESH_IN_DOUBT', remote: false } },
      ]);
      expect(attempts).toHaveLength(5);
      expect(count(browser.sent, 'POST', '/auth/refresh')).toBe(1);
      expect(alarms).toEqual([]);
      // Not revoked: the last access token is still accepted (jwt deny-lists a revoked session).
      const me = await fetch(`${url}/me`, { headers: { cookie: `${ACCESS}=${access}` } });
      expect(me.status).toBe(200);
    });

    it('bearer mode: a 503 lasting past the window: the old refresh token is never sent again', async () => {
      const { url, time, alarms } = await server();
      const { fetch: recorded, sent } = recordingFetch();
      const { fetch: outageFetch, attempts } = outage(time, recorded);
      const service = client({ mode: 'bearer', baseUrl: url, fetch: outageFetch, ...time });
      const ended = next(service, 'loggedOut');
      await service.fetch('/auth/login', post(LOGIN));
      expect(await service.refresh()).toBe(false);
      await retries(time);
      expect(attempts).toEqual([0, 500, 1_000, 2_000, 4_000]);
      time.advance(60_000); // the store is back; the access token still works
      expect((await service.fetch('/me')).status).toBe(200);
      time.jump(15 * 60_000); // the access token expired: the request needs a refresh
      expect((await service.fetch('/me')).status).toBe(401);
      expect(await ended).toEqual({ code: 'ERR_SESS_REFRESH_IN_DOUBT', remote: false });
      expect(attempts).toHaveLength(5);
      expect(sent.filter((s) => s.path === '/auth/refresh')).toHaveLength(1);
      expect(alarms).toEqual([]);
    });

    it('a retry timer that fires past the window (a throttled tab) sends nothing and ends nothing', async () => {
      const { url, time, alarms } = await server();
      const browser = browserFetch(url);
      const { fetch: outageFetch, attempts } = outage(time, browser.fetch, keepCookies(browser));
      const tab = client({ baseUrl: url, fetch: outageFetch, ...time });
      const events: string[] = [];
      for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
        tab.on(name, () => events.push(name));
      }
      await tab.fetch('/auth/login', post(LOGIN));
      expect(await tab.refresh()).toBe(false);
      expect(time.pending()).toEqual([500]);
      time.jump(40_000); // asleep: the retry's timer runs late, after the store is back
      time.advance(0);
      await settle();
      expect(attempts).toEqual([0]);
      expect(events).toEqual(['refreshed']); // the login; the session stands
      expect((await tab.fetch('/me')).status).toBe(200);
      expect(alarms).toEqual([]);
    });

    it('across tabs: a tab that learned of the doubt never presents the shared cookie past the window', async () => {
      const { url, time, alarms } = await server();
      const name = channelName();
      const browser = browserFetch(url);
      const { fetch: outageFetch, attempts } = outage(time, browser.fetch, keepCookies(browser));
      const [one, two] = [0, 1].map(() =>
        client({ baseUrl: url, fetch: outageFetch, channel: name, locks: null, ...time }),
      ) as [SessClient, SessClient];
      await one.fetch('/auth/login', post(LOGIN));
      await settle();
      expect(await one.refresh()).toBe(false);
      await settle(); // the other tab learns when the doubt began
      await retries(time);
      expect(attempts).toEqual([0, 500, 1_000, 2_000, 4_000]);
      time.advance(60_000); // the store is back
      // The other tab needs a refresh (its request got a 401): it ends, in both tabs, sending
      // nothing.
      const local = next(two, 'loggedOut');
      const remote = next(one, 'loggedOut');
      browser.cookies.delete(ACCESS);
      expect((await two.fetch('/me')).status).toBe(401);
      expect(await local).toEqual({ code: 'ERR_SESS_REFRESH_IN_DOUBT', remote: false });
      expect(await remote).toEqual({ code: 'ERR_SESS_REFRESH_IN_DOUBT', remote: true });
      expect(attempts).toHaveLength(5);
      expect(alarms).toEqual([]);
    });
  });
});
