import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// As examples/demo/test/browser.ts: Debian's chromium, never a downloaded browser.
export const CHROMIUM = '/usr/bin/chromium';

/** True when chromium is installed; otherwise a loud skip, or a failure under SESS_REQUIRE_SERVICES=1. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.SESS_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is required (SESS_REQUIRE_SERVICES=1): apt-get install chromium`);
  }
  console.warn(`\n⚠ ${CHROMIUM} not found: the Next.js browser tests are SKIPPED.\n`);
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

/** A new browser profile (a "device") with its own user agent. */
export function device(browser: Browser, name: string): Promise<BrowserContext> {
  return browser.newContext({ userAgent: `Mozilla/5.0 (nextjs-test) ${name}` });
}

/** Opens the page and logs in through the form. */
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
