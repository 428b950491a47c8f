import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STRATEGIES } from '../src/config.ts';
import type { RunningDemo } from '../src/demo.ts';
import { chromiumAvailable, device, launch, logIn, snap } from './browser.ts';
import { CLIENT_FRAMEWORKS, FULL_BROWSER_SET, startTestDemo } from './support.ts';

// @sess/client in real chromium: the demo page imports the built bundle (/client.js) and exposes
// its client as `window.demoClient`. Several pages of ONE browser context are tabs of one browser:
// they share cookies, Web Locks and BroadcastChannel. The jwt strategy, where refresh matters. On
// Express every case runs; on the other frameworks the main flows (four tabs refreshing at once,
// "log out everywhere" across tabs): see FULL_BROWSER_SET. The other cases (a tab asleep, the idle
// timeout, a revocation from another device) test the client's timing more than the binding, and
// client-node.test.ts has each of them on every framework.

interface Seen {
  name: 'refreshed' | 'expired' | 'loggedOut';
  remote: boolean;
  code?: string | null;
  expiresAt?: number | null;
}

/** What the page script exposes; the callbacks below run in the page (the demo has no DOM types). */
interface PageWindow {
  demoClient: {
    refresh(): Promise<boolean>;
    readonly expiresAt: number | null;
    on(name: string, fn: (payload: Omit<Seen, 'name'>) => void): () => void;
  };
  seen: Seen[];
  navigator: { locks: { query(): Promise<{ held?: unknown[]; pending?: unknown[] }> } };
}

/** Records every client event of the page in `window.seen`. */
async function record(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageWindow).demoClient !== undefined);
  await page.evaluate(() => {
    (globalThis as unknown as PageWindow).seen = [];
    for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
      (globalThis as unknown as PageWindow).demoClient.on(name, (payload) =>
        (globalThis as unknown as PageWindow).seen.push({ name, ...payload }),
      );
    }
  });
}

const seen = (page: Page) => page.evaluate(() => (globalThis as unknown as PageWindow).seen);

describe.skipIf(!chromiumAvailable()).each(CLIENT_FRAMEWORKS)(
  '@sess/client in chromium on %s, several tabs',
  (framework) => {
    const full = framework === FULL_BROWSER_SET;
    let browser: Browser;
    let demo: RunningDemo | undefined;
    let context: BrowserContext | undefined;
    /** Refreshes the server performed (each rotation, reuse-window replays included). */
    let refreshes: { retry: boolean }[];

    async function start(env: Record<string, string> = {}) {
      demo = await startTestDemo({ SESS_FRAMEWORK: framework, SESS_STRATEGY: 'jwt', ...env });
      refreshes = [];
      demo.sess.on('session.refreshed', ({ retry }) => refreshes.push({ retry }));
      return demo;
    }

    /** One tab logged in, the others opened afterwards (they learn nothing of the expiry). */
    async function tabs(url: string, count: number): Promise<Page[]> {
      context = await device(browser, 'tabs');
      const pages: Page[] = [];
      for (let i = 0; i < count; i++) pages.push(await context.newPage());
      await logIn(pages[0]!, url);
      for (const page of pages.slice(1)) {
        await page.goto(url);
        await page.locator('#account').waitFor();
      }
      await Promise.all(pages.map(record));
      return pages;
    }

    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(() => browser?.close());
    afterEach(async () => {
      await context?.close();
      context = undefined;
      await demo?.close();
      demo = undefined;
    });

    it('four tabs refreshing at the same moment: one refresh, the same token, nobody logged out', async () => {
      const { url } = await start();
      const pages = await tabs(url, 4);
      const [first] = pages as [Page];
      const refreshCookie = async () =>
        (await context!.cookies()).find((c) => c.name === '__Secure-refresh')?.value;
      const before = await refreshCookie();

      // Hold the refresh request at the network until the other three tabs are queued on the lock,
      // so all four are provably refreshing at the same moment.
      let requests = 0;
      await context!.route('**/auth/refresh', async (route) => {
        // Only the first is held: any further one would be the bug this test is about.
        if (++requests > 1) return route.continue();
        await expect
          .poll(
            () =>
              first.evaluate(async () => {
                const { held = [], pending = [] } = await (
                  globalThis as unknown as PageWindow
                ).navigator.locks.query();
                return `${held.length} held, ${pending.length} pending`;
              }),
            { timeout: 20_000 },
          )
          .toBe('1 held, 3 pending');
        await route.continue();
      });
      const results = await Promise.all(
        pages.map((page) =>
          page.evaluate(() => (globalThis as unknown as PageWindow).demoClient.refresh()),
        ),
      );
      await context!.unroute('**/auth/refresh');

      expect(results).toEqual([true, true, true, true]);
      expect(requests).toBe(1);
      expect(refreshes).toEqual([{ retry: false }]);
      const after = await refreshCookie();
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      // Every tab knows the one new expiry, and saw exactly one refresh: its own or another tab's.
      const expiries = await Promise.all(
        pages.map((page) =>
          page.evaluate(() => (globalThis as unknown as PageWindow).demoClient.expiresAt),
        ),
      );
      expect(new Set(expiries).size).toBe(1);
      expect(expiries[0]).toBeGreaterThan(Date.now());
      const events = await Promise.all(pages.map(seen));
      for (const list of events) {
        expect(list.map((e) => e.name)).toEqual(['refreshed']);
        expect(list[0]!.expiresAt).toBe(expiries[0]);
      }
      expect(events.filter(([e]) => e!.remote === false)).toHaveLength(1);
      // Nobody was logged out: every tab still works, on the same session.
      const sessionIds = new Set<string | null>();
      for (const page of pages) {
        await page.click('#reload');
        await expect.poll(() => page.textContent('#whoami')).toBe('alice@example.com');
        sessionIds.add(await page.textContent('#session-id'));
      }
      expect(sessionIds.size).toBe(1);
      expect(refreshes).toHaveLength(1);
      await snap(first, `${framework}-client-four-tabs`);
    });

    it('"log out everywhere" in one tab: every tab shows the login form at once, no request needed', async () => {
      const { url } = await start();
      const pages = await tabs(url, 3);
      const [one, two, three] = pages as [Page, Page, Page];
      const other = await device(browser, 'other-device');
      try {
        const elsewhere = await other.newPage();
        await logIn(elsewhere, url);
        const otherCookie = (await other.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        const alive = () => fetch(`${url}/me`, { headers: { cookie: otherCookie } });
        expect((await alive()).status).toBe(200);

        // "Log out other devices" keeps this browser: no tab ends.
        await two.click('#logout-others');
        await expect.poll(() => two.textContent('#notice')).toContain('Other devices logged out');
        expect((await alive()).status).toBe(401);
        for (const page of pages) expect(await seen(page)).toEqual([]);

        const sent: string[] = [];
        for (const page of [one, three]) {
          page.on('request', (r) => sent.push(`${r.method()} ${new URL(r.url()).pathname}`));
        }
        await two.click('#logout-all');
        await two.locator('#login-form').waitFor();
        await expect(two.textContent('#notice')).resolves.toContain('Logged out everywhere');
        expect(await seen(two)).toEqual([{ name: 'loggedOut', code: null, remote: false }]);
        for (const page of [one, three]) {
          await page.locator('#login-form').waitFor();
          await expect(page.textContent('#notice')).resolves.toBe('Logged out in another tab.');
          expect(await seen(page)).toEqual([{ name: 'loggedOut', code: null, remote: true }]);
        }
        // The other tabs learned it from the channel: they sent nothing, and refresh no more.
        expect(sent).toEqual([]);
        await one.evaluate(() => (globalThis as unknown as PageWindow).demoClient.refresh());
        expect(refreshes).toHaveLength(0);
        await snap(three, `${framework}-client-logout-all-tabs`);
      } finally {
        await other.close();
      }
    });

    // Beyond the main flows: only on the framework that runs the full set (FULL_BROWSER_SET).
    if (full) {
      // Time: the access token really expires (SESS_ACCESS_TTL=2, no skew allowance, so the server
      // refuses it 2 s after login), while the tab's own clock is Playwright's fake clock, paused
      // before login: its timers never fire, like a laptop asleep. Node waits for the server to
      // refuse the old token, then the tab wakes: its clock jumps 2.5 s, past the expiry, firing
      // the overdue refresh timer (and no later one), and the user clicks Reload while that refresh
      // is still in flight. Timer, pre-flight check and 401 must add up to exactly one refresh.
      it('a tab asleep past expiry recovers with exactly one refresh', async () => {
        const { url } = await start({ SESS_ACCESS_TTL: '2' });
        context = await device(browser, 'sleeper');
        const page = await context.newPage();
        await page.clock.install();
        await page.goto(url);
        await page.locator('#login-form').waitFor();
        await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 5_000);
        await page.fill('input[name=email]', 'alice@example.com');
        await page.fill('input[name=password]', 'alice-password-1');
        await page.click('#login-form button[type=submit]');
        await page.locator('#account').waitFor();
        await record(page);
        const expiresAt = await page.evaluate(
          () => (globalThis as unknown as PageWindow).demoClient.expiresAt,
        );
        expect(expiresAt).toBe(await page.evaluate(() => Date.now() + 2000));

        const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        const stale = () => fetch(`${url}/me`, { headers: { cookie } }).then((res) => res.status);
        expect(await stale()).toBe(200);
        await expect.poll(stale, { timeout: 20_000 }).toBe(401);
        expect(refreshes).toHaveLength(0);

        // The first refresh request waits at the network until the click has happened, so the
        // timer's refresh and the click's request overlap for certain.
        let clicked!: () => void;
        const afterClick = new Promise<void>((resolve) => {
          clicked = resolve;
        });
        let sent = 0;
        await context.route('**/auth/refresh', async (route) => {
          if (++sent === 1) await afterClick;
          await route.continue();
        });
        await page.clock.fastForward(2500);
        // The reload's render ends with GET /auth/sessions, after its GET /me.
        const rendered = page.waitForResponse((r) => r.url().endsWith('/auth/sessions'));
        await page.click('#reload');
        clicked();
        expect((await rendered).status()).toBe(200);
        await expect.poll(() => page.textContent('#whoami')).toBe('alice@example.com');
        await expect(page.locator('#account').isVisible()).resolves.toBe(true);
        expect(refreshes).toEqual([{ retry: false }]);
        const events = await seen(page);
        expect(events.map((e) => e.name)).toEqual(['refreshed']);
        expect(events[0]!.expiresAt).toBeGreaterThan(expiresAt!);
      });

      it('a session revoked from another device ends in loggedOut in every tab', async () => {
        const { url } = await start();
        const pages = await tabs(url, 3);
        const other = await device(browser, 'other-device');
        try {
          const elsewhere = await other.newPage();
          await logIn(elsewhere, url);
          await elsewhere.click('#logout-all');
          await elsewhere.locator('#login-form').waitFor();
        } finally {
          await other.close();
        }
        // The first tab's next refresh (its timer's, or a request's) is refused: the session is
        // over.
        await expect(
          pages[0]!.evaluate(() => (globalThis as unknown as PageWindow).demoClient.refresh()),
        ).resolves.toBe(false);
        for (const page of pages) {
          await expect
            .poll(async () => (await seen(page)).map((e) => `${e.name}:${e.code}:${e.remote}`))
            .toEqual([`loggedOut:ERR_SESS_INVALID_CREDENTIAL:${page !== pages[0]}`]);
          await page.locator('#login-form').waitFor();
          await expect(page.textContent('#notice')).resolves.toContain('session has ended');
        }
        // No tab tries again: the session is over until someone logs in.
        await pages[1]!.evaluate(() => (globalThis as unknown as PageWindow).demoClient.refresh());
        expect(refreshes).toHaveLength(0);
        await snap(pages[2]!, `${framework}-client-revoked-everywhere`);
      });

      // Real time on both sides: the server's idle clock is real, and the page's timers must run
      // for a background refresh to show itself. The access token lives 2 s, the session 3 s idle.
      it.each(STRATEGIES)(
        '%s: a tab left alone past the idle timeout makes no refresh, and its session is over',
        async (strategy) => {
          const { url } = await start({
            SESS_STRATEGY: strategy,
            SESS_ACCESS_TTL: '2',
            SESS_IDLE_TIMEOUT: '3',
          });
          context = await device(browser, 'idle');
          const page = await context.newPage();
          await logIn(page, url);
          await record(page);
          // The page's own requests after login were activity: one refresh takes them to the
          // server. From its answer on, nobody touches the tab.
          await expect(
            page.evaluate(() => (globalThis as unknown as PageWindow).demoClient.refresh()),
          ).resolves.toBe(true);
          const idleFrom = Date.now();
          await page.evaluate(() => {
            (globalThis as unknown as PageWindow).seen = [];
          });
          const baseline = refreshes.length;
          const sent: string[] = [];
          page.on('request', (r) => sent.push(`${r.method()} ${new URL(r.url()).pathname}`));
          const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

          // Past the idle timeout (3 s), with half a second of margin for the server's clock.
          await new Promise((resolve) => setTimeout(resolve, idleFrom + 3_500 - Date.now()));
          expect(sent).toEqual([]);
          expect(refreshes).toHaveLength(baseline);
          expect((await fetch(`${url}/me`, { headers: { cookie } })).status).toBe(401);
          expect(await seen(page)).toEqual([]);

          // The user comes back: the click's refresh is refused, and the tab shows the login form.
          await page.click('#reload');
          await page.locator('#login-form').waitFor();
          const events = await seen(page);
          expect(events).toHaveLength(1);
          // The server tells a timeout from a revocation: the tab says "timed out", not "signed
          // out".
          expect(events[0]).toMatchObject({ name: 'expired', code: 'ERR_SESS_EXPIRED' });
          expect(sent.filter((r) => r === 'POST /auth/refresh').length).toBeGreaterThan(0);
          expect(refreshes).toHaveLength(baseline);
          const after = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
          expect((await fetch(`${url}/me`, { headers: { cookie: after } })).status).toBe(401);
        },
      );
    }
  },
);
