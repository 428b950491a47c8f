import { readCookies } from '../cookies/index.ts';
import { type AnySessError, InvalidCredentialError, isSessError, StoreError } from '../errors.ts';
import type { RequestInfo, SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Validated } from '../results.ts';

/** sess's own cookies as one request sent them (each present only when sent exactly once). */
export interface SessCookies {
  readonly session?: string;
  readonly refresh?: string;
  readonly csrf?: string;
  /** The guest session credential (read only when the app asks for guest data). */
  readonly guest?: string;
}

/** What the session middleware learned about a request; bindings keep it for the later steps. */
export interface AuthState {
  /** The authenticated session, or null. */
  readonly auth: Validated | null;
  /** Where the credential came from. */
  readonly via: 'cookie' | 'bearer' | null;
  /** Why a credential that was sent did not authenticate (a 401 for `requireSession`). */
  readonly error: AnySessError | null;
  /** sess's cookies on the request. */
  readonly cookies: SessCookies;
  /** A sess cookie name was sent twice (cookie tossing): nothing of it is trusted. */
  readonly ambiguous: boolean;
}

// Other schemes (Basic for an admin area, say) are the app's business: sess ignores them.
const SCHEME = /^bearer(?: |$)/i;

/**
 * The token of `Bearer <token>`: spaces around it allowed, none inside. Its characters are left
 * to the credential parsers, which accept only base64url and dots (stricter than RFC 6750's
 * b64token) and refuse anything else as malformed: a second pass over a long token here would
 * cost more than the whole check of a cached one.
 */
function bearerToken(header: string): string | undefined {
  let start = 6;
  while (header.charCodeAt(start) === 0x20) start++;
  let end = header.length;
  while (end > start && header.charCodeAt(end - 1) === 0x20) end--;
  const token = header.slice(start, end);
  return token.length > 0 && !token.includes(' ') ? token : undefined;
}

/**
 * Authenticates a request: `Authorization: Bearer` first, else the session cookie. A credential
 * that fails leaves `auth` null with the reason in `error`; a store failure throws (503), so a
 * broken store never reads as "logged out".
 */
export function authenticate(manager: SessionManager, req: RequestLike): Promise<AuthState> {
  // Not async: an async function's frame costs more per request than the two closures below.
  const { values: cookies, ambiguous: sent } = readCookies(
    req.headers.get('cookie'),
    manager.cookies.names,
  );
  const ambiguous = sent.length > 0;
  const authorization = req.headers.get('authorization');
  let token: string | undefined;
  let via: AuthState['via'] = null;
  if (authorization !== null && SCHEME.test(authorization)) {
    via = 'bearer';
    token = bearerToken(authorization);
    if (token === undefined) {
      return settled(null, via, new InvalidCredentialError('malformed'), cookies, ambiguous);
    }
  } else if (cookies.session !== undefined) {
    via = 'cookie';
    token = cookies.session;
  } else if (sent.includes('session')) {
    return settled(null, 'cookie', new InvalidCredentialError('malformed'), cookies, ambiguous);
  } else {
    return settled(null, null, null, cookies, ambiguous);
  }
  return manager.validate(token, new RequestFacts(req)).then(
    (auth) => authState(auth, via, null, cookies, ambiguous),
    (error: unknown) => {
      if (!isSessError(error) || error.code === StoreError.code) throw error;
      manager.credentialRefused(error, via ?? 'cookie');
      return authState(null, via, error, cookies, ambiguous);
    },
  );
}

/** What validation may ask of the request (binding checks), read only if it does. */
class RequestFacts implements RequestInfo {
  readonly #req: RequestLike;

  constructor(req: RequestLike) {
    this.#req = req;
  }

  get userAgent(): string | null {
    return this.#req.headers.get('user-agent');
  }

  get ip(): string | null {
    return this.#req.ip ?? null;
  }
}

function authState(
  auth: Validated | null,
  via: AuthState['via'],
  error: AnySessError | null,
  cookies: SessCookies,
  ambiguous: boolean,
): AuthState {
  return { auth, via, error, cookies, ambiguous };
}

function settled(...args: Parameters<typeof authState>): Promise<AuthState> {
  return Promise.resolve(authState(...args));
}

/**
 * True when the client looks like a browser: it sent `Origin`, `Referer`, `Sec-Fetch-Site` or a
 * `Cookie`. Such clients get credentials only in `HttpOnly` cookies, and their unsafe requests
 * always go through the CSRF checks.
 */
export function isBrowserRequest(req: RequestLike): boolean {
  const h = req.headers;
  return (
    h.get('origin') !== null ||
    h.get('sec-fetch-site') !== null ||
    h.get('referer') !== null ||
    h.get('cookie') !== null
  );
}
