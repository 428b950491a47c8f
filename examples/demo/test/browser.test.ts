import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STRATEGIES } from '../src/config.ts';
import type { RunningDemo } from '../src/demo.ts';
import {
  attackerSite,
  chromiumAvailable,
  device,
  launch,
  logIn,
  snap,
  twoDevices,
} from './browser.ts';
import { CLIENT_FRAMEWORKS, FULL_BROWSER_SET, startTestDemo } from './support.ts';

// Real chromium against the demo (SQLite) on each framework. Express runs every case in every
// strategy; the other frameworks run the main flows (log in and /me, log out, log out everywhere,
// CSRF from a same-site page, refresh in two tabs) in the jwt strategy: see FULL_BROWSER_SET.
describe.skipIf(!chromiumAvailable()).each(CLIENT_FRAMEWORKS)(
  'the demo page in chromium on %s',
  (framework) => {
    const full = framework === FULL_BROWSER_SET;
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(() => browser?.close());

    describe.each(full ? STRATEGIES : (['jwt'] as const))('%s strategy', (strategy) => {
      let demo: RunningDemo;
      const shot = (name: string) => `${framework}-${strategy}-${name}`;

      // A fresh demo per test: the seeded users' sessions and profiles never leak between cases.
      beforeEach(async () => {
        demo = await startTestDemo({ SESS_FRAMEWORK: framework, SESS_STRATEGY: strategy });
      });
      afterEach(() => demo?.close());

      it('logs in with HttpOnly, Secure, SameSite cookies, shows who I am, logs out', async () => {
        const context = await device(browser, 'laptop');
        const page = await context.newPage();
        await page.goto(demo.url);
        await snap(page, shot('login-1-form'));
        await logIn(page, demo.url);
        await expect.poll(() => page.textContent('#whoami')).toBe('alice@example.com');
        await snap(page, shot('login-2-signed-in'));
        const cookies = await context.cookies();
        const session = cookies.find(
          (c) => c.name === (strategy === 'database' ? '__Host-session' : '__Secure-refresh'),
        );
        expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
        expect(await page.evaluate('document.cookie')).not.toMatch(/session|refresh/);
        expect(await page.evaluate('localStorage.length')).toBe(0);
        await page.click('#logout');
        await page.locator('#login-form').waitFor();
        await expect(page.textContent('#notice')).resolves.toBe('Logged out.');
        // The binding cleared the credential cookies, and a reload finds no session.
        expect((await context.cookies()).map((c) => c.name)).not.toContainEqual(
          expect.stringMatching(/session|refresh/),
        );
        await page.reload();
        await page.locator('#login-form').waitFor();
        await context.close();
      });

      it('logs out everywhere', async () => {
        const { first, second, close } = await twoDevices(browser, demo.url);
        await first.click('#logout-all');
        await first.locator('#login-form').waitFor();
        await expect(first.textContent('#notice')).resolves.toMatch(
          /Logged out everywhere \(2 sessions\)/,
        );
        await snap(first, shot('everywhere-1-first'));
        await second.click('#reload');
        await second.locator('#login-form').waitFor();
        await snap(second, shot('everywhere-2-second'));
        await close();
      });

      // Same-site (localhost on another port: the cookie rides along, only the CSRF check stands
      // in the way) and, in the full set, cross-site (127.0.0.1).
      it.each(full ? ['localhost', '127.0.0.1'] : ['localhost'])(
        'refuses a form auto-submitted from %s on another port',
        async (host) => {
          const context = await device(browser, 'victim');
          const page = await context.newPage();
          await logIn(page, demo.url);
          const attacker = await attackerSite(host, `${demo.url}/account/profile`);
          try {
            const evil = await context.newPage();
            const refused = evil.waitForResponse((r) => r.url().endsWith('/account/profile'));
            await evil.goto(attacker.url);
            expect((await refused).status()).toBe(403);
            await snap(evil, shot(`csrf-${host}-refused`));
          } finally {
            await attacker.close();
          }
          await page.click('#reload');
          await expect.poll(() => page.textContent('#display-name')).toBe('(not set)');
          await page.fill('input[name=displayName]', 'Alice');
          await page.click('#profile-form button[type=submit]');
          await expect.poll(() => page.textContent('#display-name')).toBe('Alice');
          await snap(page, shot(`csrf-${host}-own-form-works`));
          await context.close();
        },
      );

      it('keeps two tabs logged in when both refresh at the same moment', async () => {
        const context = await device(browser, 'tabs');
        const [one, two] = [await context.newPage(), await context.newPage()];
        await logIn(one, demo.url);
        await two.goto(demo.url);
        await two.locator('#account').waitFor();
        // Hold both refreshes until both are in flight: each carries the same, soon-rotated
        // credential.
        let release!: () => void;
        const bothArrived = new Promise<void>((resolve) => {
          release = resolve;
        });
        let arrived = 0;
        await context.route('**/auth/refresh', async (route) => {
          if (++arrived === 2) release();
          await bothArrived;
          await route.continue();
        });
        await Promise.all([one.click('#refresh'), two.click('#refresh')]);
        for (const tab of [one, two]) {
          await expect.poll(() => tab.textContent('#notice')).toBe('Credentials rotated.');
        }
        expect(arrived).toBe(2);
        await context.unroute('**/auth/refresh');
        await snap(one, shot('tabs-1-first'));
        await snap(two, shot('tabs-2-second'));
        for (const tab of [one, two]) {
          await tab.click('#reload');
          await expect(tab.locator('#account').isVisible()).resolves.toBe(true);
          await expect.poll(() => tab.locator('#devices tr').count()).toBe(1);
        }
        await context.close();
      });

      if (full) {
        it('shows two devices; revoking the second sends it to the login form', async () => {
          const { first, second, close } = await twoDevices(browser, demo.url);
          await first.click('#reload');
          await expect.poll(() => first.locator('#devices tr').count()).toBe(2);
          await expect(
            first.locator('#devices tr', { hasText: 'this device' }).textContent(),
          ).resolves.toContain('laptop');
          // The server's label for each device, its raw user agent beneath it.
          await expect(first.locator('#devices .label').allTextContents()).resolves.toEqual(
            expect.arrayContaining(['Chrome 131 on macOS', 'Safari 17 on iOS']),
          );
          await snap(first, shot('devices-1-two'));

          await first.locator('#devices tr', { hasText: 'phone' }).locator('button.revoke').click();
          await expect.poll(() => first.locator('#devices tr').count()).toBe(1);
          await snap(first, shot('devices-2-revoked'));

          await second.click('#reload');
          await second.locator('#login-form').waitFor();
          await expect(second.textContent('#notice')).resolves.toContain('session has ended');
          await snap(second, shot('devices-3-second-logged-out'));
          await first.click('#reload');
          await expect(first.locator('#account').isVisible()).resolves.toBe(true);
          await close();
        });
      }
    });
  },
);
