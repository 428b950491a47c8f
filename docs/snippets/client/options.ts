import { createClient } from '@sess/client';

// Every option, here with a clock and timers a test drives by hand.
let now = Date.parse('2030-01-01T00:00:00Z');
const timers = new Map<number, { at: number; run: () => void }>();
let ids = 0;

export const client = createClient({
  mode: 'cookie',
  baseUrl: 'http://localhost:3000',
  paths: {
    csrf: '/auth/csrf',
    login: '/auth/login',
    refresh: '/auth/refresh',
    logout: '/auth/logout',
    logoutAll: '/auth/logout-all',
  },
  csrfHeader: 'x-csrf-token',
  refreshMargin: 5 * 60_000,
  lockTimeout: 10_000,
  reuseWindow: 10_000, // never more than the server's refresh.reuseWindow
  channel: 'my-app',
  fetch: globalThis.fetch,
  now: () => now,
  setTimeout: (run, ms) => {
    timers.set(++ids, { at: now + ms, run });
    return ids;
  },
  clearTimeout: (id) => timers.delete(id as number),
});

/** Moves the test's clock, running the timers that fall due. */
export function advance(ms: number): void {
  now += ms;
  for (const [id, timer] of timers) {
    if (timer.at <= now) {
      timers.delete(id);
      timer.run();
    }
  }
}
