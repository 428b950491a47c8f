import { readCookies } from '../cookies/index.ts';
import { type AnySessError, InvalidCredentialError, isSessError, StoreError } from '../errors.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Validated } from '../results.ts';

/** sess's own cookies as one request sent them (each present only when sent exactly once). */
export interface SessCookies {
  readonly session?: string;
  readonly refresh?: string;
  readonly csrf?: string;
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
// RFC 6750 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Authenticates a request: `Authorization: Bearer` first, else the session cookie. A credential
 * that fails leaves `auth` null with the reason in `error`; a store failure throws (503), so a
 * broken store never reads as "logged out".
 */
export async function authenticate(manager: SessionManager, req: RequestLike): Promise<AuthState> {
  const { values, ambiguous } = readCookies(req.headers.get('cookie'), manager.cookies.names);
  const authorization = req.headers.get('authorization');
  const cookies: SessCookies = values;
  const isAmbiguous = ambiguous.length > 0;
  let token: string | undefined;
  let via: AuthState['via'] = null;
  if (authorization !== null && SCHEME.test(authorization)) {
    via = 'bearer';
    token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return state(null, via, new InvalidCredentialError('malformed'));
  } else if (values.session !== undefined) {
    via = 'cookie';
    token = values.session;
  } else if (ambiguous.includes('session')) {
    return state(null, 'cookie', new InvalidCredentialError('malformed'));
  } else {
    return state(null, null, null);
  }
  try {
    const userAgent = req.headers.get('user-agent');
    const auth = await manager.validate(token, { userAgent, ip: req.ip ?? null });
    return state(auth, via, null);
  } catch (error) {
    if (!isSessError(error) || error.code === StoreError.code) throw error;
    return state(null, via, error);
  }

  function state(
    auth: Validated | null,
    source: AuthState['via'],
    error: AnySessError | null,
  ): AuthState {
    return { auth, via: source, error, cookies, ambiguous: isAmbiguous };
  }
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
