export {
  clearCookies,
  csrfCookie,
  guestCookie,
  refreshCookie,
  sessionCookie,
} from './builders.ts';
export type { CookieConfig, CookieNames, ResolvedCookies } from './config.ts';
export { resolveCookieConfig } from './config.ts';
export type { CookieReadResult } from './read.ts';
export { readCookies } from './read.ts';
export { MAX_COOKIE_BYTES, serializeCookie } from './serialize.ts';
export type { CookieInstruction, CookieOptions, SameSite } from './types.ts';
