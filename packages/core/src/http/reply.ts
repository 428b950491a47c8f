import { type CookieInstruction, serializeCookie } from '../cookies/index.ts';
import {
  type AnySessError,
  CsrfError,
  ExpiredError,
  httpStatusFor,
  NotFreshError,
  RateLimitedError,
  StoreError,
} from '../errors.ts';

/** One response header; `Set-Cookie` appears once per cookie. */
export type HttpHeader = readonly [name: string, value: string];

/**
 * A framework-neutral response: what a binding writes with its framework's own calls. Headers are
 * appended in order (several `Set-Cookie` entries are normal); `body` is sent as JSON.
 */
export interface HttpReply {
  readonly status: number;
  readonly headers: readonly HttpHeader[];
  readonly body: unknown;
}

/**
 * The JSON error body of every sess response: `{ error: { code, message } }`, plus `details`
 * from a fixed vocabulary, never any of the request's values: `{ reason }` on a CSRF refusal
 * (which check failed, see `CsrfFailureReason`), so a 403 can be diagnosed without changing code,
 * and `{ limit }` on `ERR_SESS_EXPIRED` (`token`: renew the access token; `idle` or `absolute`:
 * the session timed out).
 */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: { readonly reason: string } | { readonly limit: string };
  };
}

export const NO_STORE: HttpHeader = ['cache-control', 'no-store'];

export function cookieHeaders(cookies: readonly CookieInstruction[]): HttpHeader[] {
  return cookies.map((cookie) => ['set-cookie', serializeCookie(cookie)] as const);
}

/** A JSON reply; every sess reply is `no-store`, since most carry a credential or a CSRF token. */
export function reply(
  status: number,
  body: unknown,
  cookies: readonly CookieInstruction[] = [],
  extra: readonly HttpHeader[] = [],
): HttpReply {
  return { status, headers: [NO_STORE, ...cookieHeaders(cookies), ...extra], body };
}

/** Options of {@link errorReply} that the binding resolved once. */
export interface ErrorReplyOptions {
  /** The `realm` of `WWW-Authenticate`. */
  readonly realm: string;
  /** `Retry-After` seconds on a 503. */
  readonly retryAfter: number;
}

/**
 * The reply for a sess error: status from `httpStatusFor`, the public `{ code, message }` (never
 * the input, a stack or a library message), and the headers the status calls for: RFC 6750
 * `WWW-Authenticate` on 401 (RFC 9470 step-up hints for `requireFresh`), `Retry-After` on 429/503.
 */
export function errorReply(
  error: AnySessError,
  options: ErrorReplyOptions,
  cookies: readonly CookieInstruction[] = [],
): HttpReply {
  const status = httpStatusFor(error.code);
  const extra: HttpHeader[] = [];
  if (status === 401) extra.push(['www-authenticate', challenge(error, options.realm)]);
  if (error.code === StoreError.code) extra.push(['retry-after', String(options.retryAfter)]);
  if (error.code === RateLimitedError.code) {
    extra.push(['retry-after', String(error.retryAfterSeconds)]);
  }
  const { code, message } = error;
  const body: ErrorBody = {
    error:
      code === CsrfError.code
        ? { code, message, details: { reason: error.reason } }
        : code === ExpiredError.code
          ? { code, message, details: { limit: error.limit } }
          : { code, message },
  };
  return reply(status, body, cookies, extra);
}

function challenge(error: AnySessError, realm: string): string {
  const base = `Bearer realm="${realm}"`;
  if (error.code === NotFreshError.code) {
    const maxAge = Math.floor(error.maxAgeMs / 1000);
    return `${base}, error="insufficient_user_authentication", max_age=${maxAge}`;
  }
  // RFC 6750 3.1: a request with no authentication information gets no error code.
  if (error.code === 'ERR_SESS_NO_CREDENTIAL') return base;
  if (error.code === 'ERR_SESS_LOGIN_FAILED') return base;
  return `${base}, error="invalid_token"`;
}
