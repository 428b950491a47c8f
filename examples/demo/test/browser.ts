import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** True when chromium is installed; otherwise a loud skip, or a failure under SESS_REQUIRE_SERVICES=1. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.SESS_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is required (SESS_REQUIRE_SERVICES=1): apt-get install chromium`);
  }
  console.warn(`\n⚠ ${CHROMIUM} not found: the browser tests are SKIPPED.\n`);
  return false;
}

/** Headless chromium, sandbox and background networking off. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-background-networking', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

const SHOTS = new URL('../test-results/browser/', import.meta.url);

/** Saves a screenshot as a test artifact (test-results/ is not committed). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
}

// Real browsers' user agents, so the device list has labels to show; the name stays in them.
const AGENTS: Record<string, string> = {
  laptop:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 demo-test/laptop',
  phone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1 demo-test/phone',
};

/** A new browser profile (a "device") with its own user agent. */
export function device(browser: Browser, name: string): Promise<BrowserContext> {
  return browser.newContext({ userAgent: AGENTS[name] ?? `Mozilla/5.0 (demo-test) ${name}` });
}

/** Opens the demo page and logs in through the form. */
export async function logIn(
  page: Page,
  url: string,
  email = 'alice@example.com',
  password = 'alice-password-1',
): Promise<void> {
  await page.goto(url);
  await page.locator('#login-form').waitFor();
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.locator('#account').waitFor();
}

/** alice, logged in on a laptop and on a phone (two browser profiles); `close()` ends both. */
export async function twoDevices(
  browser: Browser,
  url: string,
): Promise<{ first: Page; second: Page; close(): Promise<void> }> {
  const [laptop, phone] = await Promise.all([device(browser, 'laptop'), device(browser, 'phone')]);
  const [first, second] = await Promise.all([laptop.newPage(), phone.newPage()]);
  await logIn(first, url);
  await logIn(second, url);
  return {
    first,
    second,
    close: async () => {
      await Promise.all([laptop.close(), phone.close()]);
    },
  };
}

/** A page on another port that posts a form to `target` as soon as it loads. */
export async function attackerSite(
  host: string,
  target: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const html = `<!doctype html><body><form method="post" action="${target}">
<input name="displayName" value="Hacked"></form><script>document.forms[0].submit()</script></body>`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
