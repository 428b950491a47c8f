import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  device,
  launch,
  logIn,
  snap,
  twoDevices,
} from '../../demo/test/browser.ts';
import { build, type Running, start } from './server.ts';

// The example as users run it: `next build`, then `next start`, then HTTP and a real browser.
let server: Running;
let dataDir: string;

beforeAll(async () => {
  await build();
  dataDir = mkdtempSync(join(tmpdir(), 'sess-nextjs-'));
  server = await start({
    SESS_DATABASE: join(dataDir, 'sess.db'),
    SESS_LOGINS_PER_MINUTE: '1000',
  });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A cookie jar and the page's Origin: what a browser on the page would send. */
function browserLike() {
  const jar = new Map<string, string>();
  return {
    cookie: (name: string) => jar.get(name),
    async call(method: string, path: string, init: { body?: unknown; csrf?: string } = {}) {
      const headers: Record<string, string> = { origin: server.url };
      if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (init.csrf) headers['x-csrf-token'] = init.csrf;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.direct}${path}`, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      // biome-ignore lint/suspicious/noExplicitAny: the test probes arbitrary JSON fields.
      const body: any = await response.json().catch(() => null);
      return { status: response.status, body };
    },
  };
}

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

describe('the Next.js example over HTTP', () => {
  it('csrf → login → /api/me → refresh → logout', async () => {
    const client = browserLike();
    expect((await client.call('GET', '/api/me')).status).toBe(401);
    const csrf = await client.call('GET', '/auth/csrf');
    expect(csrf.status).toBe(200);
    const login = await client.call('POST', '/auth/login', {
      body: ALICE,
      csrf: csrf.body.csrfToken,
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: 'u-alice' });
    const token = login.body.csrfToken as string;

    const me = await client.call('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ id: 'u-alice', email: 'alice@example.com' });

    const before = client.cookie('__Host-session');
    const refreshed = await client.call('POST', '/auth/refresh', { csrf: token });
    expect(refreshed.status).toBe(200);
    expect(client.cookie('__Host-session')).not.toBe(before); // rotated
    expect((await client.call('GET', '/api/me')).status).toBe(200);

    const devices = await client.call('GET', '/api/devices');
    expect(devices.body.sessions).toHaveLength(1);

    const logout = await client.call('POST', '/auth/logout', {
      csrf: refreshed.body?.csrfToken ?? token,
    });
    expect(logout.status).toBe(200);
    expect((await client.call('GET', '/api/me')).status).toBe(401);
    expect(client.cookie('__Host-session')).toBeUndefined();
  });

  it('refuses an unsafe request without the CSRF token (403)', async () => {
    const client = browserLike();
    const login = await client.call('POST', '/auth/login', { body: ALICE });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toMatch(/^ERR_SESS_CSRF/);

    const csrf = await client.call('GET', '/auth/csrf');
    const signedIn = await client.call('POST', '/auth/login', {
      body: ALICE,
      csrf: csrf.body.csrfToken,
    });
    const { sessions } = (await client.call('GET', '/api/devices')).body;
    const revoke = await client.call('DELETE', `/api/devices/${sessions[0].id}`);
    expect(revoke.status).toBe(403);
    expect((await client.call('POST', '/auth/logout-all')).status).toBe(403);
    expect((await client.call('GET', '/api/me')).status).toBe(200);
    const logout = await client.call('POST', '/auth/logout', { csrf: signedIn.body.csrfToken });
    expect(logout.status).toBe(200);
  });
});

// The demo's browser checks, on the Next.js page: real chromium, the client component.
describe.skipIf(!chromiumAvailable())('the Next.js example in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  it('logs in with HttpOnly, Secure, SameSite cookies, shows who I am, logs out', async () => {
    const context = await device(browser, 'laptop');
    const page = await context.newPage();
    await logIn(page, server.url);
    await expect.poll(() => page.textContent('#whoami')).toBe('alice@example.com');
    await snap(page, 'login-signed-in');
    const session = (await context.cookies()).find((c) => c.name === '__Host-session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(await page.evaluate('document.cookie')).not.toMatch(/session|refresh/);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.reload();
    await expect.poll(() => page.textContent('#whoami')).toBe('alice@example.com');
    await page.click('#logout');
    await page.locator('#login-form').waitFor();
    await expect(page.textContent('#notice')).resolves.toBe('Logged out.');
    await context.close();
  });

  it('shows two devices; revoking the second sends it to the login form', async () => {
    const { first, second, close } = await twoDevices(browser, server.url);
    await first.click('#reload');
    await expect.poll(() => first.locator('#devices tr').count()).toBe(2);
    await expect(
      first.locator('#devices tr', { hasText: 'this device' }).textContent(),
    ).resolves.toContain('laptop');
    await snap(first, 'devices-two');

    await first.locator('#devices tr', { hasText: 'phone' }).locator('button.revoke').click();
    await expect.poll(() => first.locator('#devices tr').count()).toBe(1);
    await expect(first.textContent('#notice')).resolves.toContain('Device revoked');

    await second.click('#reload');
    await second.locator('#login-form').waitFor();
    await expect(second.textContent('#notice')).resolves.toContain('session has ended');
    await first.click('#reload');
    await expect(first.locator('#account').isVisible()).resolves.toBe(true);
    await first.click('#logout');
    await first.locator('#login-form').waitFor();
    await close();
  });

  it('logs out everywhere', async () => {
    const { first, second, close } = await twoDevices(browser, server.url);
    await first.click('#logout-all');
    await first.locator('#login-form').waitFor();
    await expect(first.textContent('#notice')).resolves.toBe('Logged out everywhere (2 sessions).');
    await snap(first, 'everywhere');
    await second.click('#reload');
    await second.locator('#login-form').waitFor();
    await close();
  });
});
