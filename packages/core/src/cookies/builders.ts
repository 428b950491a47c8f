import type { ResolvedCookies } from './config.ts';
import type { CookieInstruction, CookieOptions } from './types.ts';

/**
 * The session cookie: `HttpOnly`, `Secure`, `SameSite`, `Path=/`, host-only by default.
 *
 * @param maxAgeSeconds lifetime in seconds, rounded down so the cookie never outlives the session;
 *   omit it for a browser-session cookie.
 */
export function sessionCookie(
  resolved: ResolvedCookies,
  value: string,
  maxAgeSeconds?: number,
): CookieInstruction {
  return instruction(resolved.names.session, value, withPath(resolved, '/'), maxAgeSeconds);
}

/** The refresh cookie: as {@link sessionCookie}, but only sent to `refreshPath`. */
export function refreshCookie(
  resolved: ResolvedCookies,
  value: string,
  maxAgeSeconds?: number,
): CookieInstruction {
  return instruction(
    resolved.names.refresh,
    value,
    withPath(resolved, resolved.refreshPath),
    maxAgeSeconds,
  );
}

/**
 * The CSRF cookie: the pre-session id before login, or the token in the `double-submit` mode.
 * `HttpOnly` like the others: the page gets its token from a response body (`GET /auth/csrf`, the
 * login response), so scripts never need to read this cookie.
 */
export function csrfCookie(
  resolved: ResolvedCookies,
  value: string,
  maxAgeSeconds?: number,
): CookieInstruction {
  return instruction(resolved.names.csrf, value, withPath(resolved, '/'), maxAgeSeconds);
}

/** The guest session cookie: as {@link sessionCookie}, under the guest name. */
export function guestCookie(
  resolved: ResolvedCookies,
  value: string,
  maxAgeSeconds?: number,
): CookieInstruction {
  return instruction(resolved.names.guest, value, withPath(resolved, '/'), maxAgeSeconds);
}

/**
 * Instructions that delete every auth cookie: empty value and `Max-Age=0`, with exactly the name,
 * `Path`, `Domain` and attributes used when setting it (a browser only replaces a cookie whose
 * name, domain and path match, and refuses a prefixed cookie without its attributes).
 */
export function clearCookies(resolved: ResolvedCookies): CookieInstruction[] {
  return [
    sessionCookie(resolved, '', 0),
    refreshCookie(resolved, '', 0),
    csrfCookie(resolved, '', 0),
  ];
}

function withPath(resolved: ResolvedCookies, path: string): CookieOptions {
  return { ...resolved.attributes, path };
}

function instruction(
  name: string,
  value: string,
  options: CookieOptions,
  maxAgeSeconds: number | undefined,
): CookieInstruction {
  if (maxAgeSeconds !== undefined) {
    if (!(maxAgeSeconds >= 0) || !Number.isFinite(maxAgeSeconds)) {
      throw new RangeError(`Cookie "${name}": maxAge must be a finite number of seconds >= 0`);
    }
    options.maxAge = Math.floor(maxAgeSeconds);
  }
  return Object.freeze({ name, value, options: Object.freeze(options) });
}
