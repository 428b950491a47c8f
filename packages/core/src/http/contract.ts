import type { CookieInstruction } from '../cookies/index.ts';
import type { CreateOptions } from '../create-options.ts';
import type { LoginFailureReason } from '../events.ts';
import type { GuestChange, GuestSession } from '../guest.ts';
import type { RequestLike } from '../request.ts';
import type { Duration } from '../util/duration.ts';
import type { BodyFields, BodySource } from './body.ts';
import type { ResolvedHttpAuthOptions } from './options.ts';
import type { HttpHeader, HttpReply } from './reply.ts';
import type { AuthState } from './state.ts';

/** What the app hands to `login` once it has verified the user. */
export interface LoginGrant extends Omit<CreateOptions, 'request'> {
  /** The authenticated user's id. */
  userId: string;
  /** Extra fields for the response body (for example `user: { id, email }`). */
  body?: Record<string, unknown>;
  /**
   * The keys of the guest session's data to carry into the user session (`['cart']`), when the
   * request has a guest session (the `guest` option); the rest ends with it. @default []
   */
  carry?: readonly string[];
}

/**
 * A refused login, with what the operator should see: why (a fixed vocabulary) and the account
 * name tried, which sess hashes before any event or log line sees it.
 */
export interface LoginRefusal {
  readonly refused: LoginFailureReason;
  readonly account?: string | null;
}

/**
 * Checks the user's credentials; returns who logged in, or null (or a {@link LoginRefusal}) to
 * refuse with 401. Either way the client sees the same answer; the refusal only tells the logs.
 */
export type LoginVerifier<C> = (
  ctx: C,
  body: BodyFields,
) => LoginGrant | LoginRefusal | null | Promise<LoginGrant | LoginRefusal | null>;

/**
 * Anything with rate-limiter-flexible's `consume`: `RateLimiterMemory`, `RateLimiterRedis`,
 * `RateLimiterPostgres` and the rest. It resolves when a point was available and rejects with a
 * result carrying `msBeforeNext` when not, or with an `Error` when its backend fails.
 */
export interface RateLimiterLike {
  consume(key: string, points?: number): Promise<unknown>;
}

/** One device in `GET /auth/sessions`. */
export interface DeviceView {
  readonly id: string;
  readonly createdAt: string;
  readonly lastActiveAt: string;
  readonly expiresAt: string;
  /** The raw `User-Agent` the session was created with. */
  readonly userAgent: string | null;
  /**
   * A label people can read, such as `Chrome 131 on macOS`, parsed from `userAgent` when the list
   * is read (see `deviceLabel`); `null` when it names no known browser or OS. Client-sent text:
   * escape it when rendering.
   */
  readonly label: string | null;
  readonly ip: string | null;
  readonly current: boolean;
}

/**
 * The HTTP behaviour of sess, framework-neutral: bindings translate their request into a
 * {@link RequestLike}, call these, and write the {@link HttpReply} back. Every rule the three
 * bindings share lives here, so they behave identically.
 */
export interface HttpAuth {
  /** The validated options. */
  readonly options: ResolvedHttpAuthOptions;
  /** Authenticates a request (bearer first, then the session cookie). Throws StoreError (503). */
  authenticate(req: RequestLike): Promise<AuthState>;
  /** Headers every response to this request needs: renewed cookies, with `no-store`. */
  renewalHeaders(state: AuthState): readonly HttpHeader[];
  /**
   * The CSRF checks for an unsafe request that could ride ambient credentials (it carries a sess
   * cookie, or comes from a browser). Bearer-only clients pass; a request with both a cookie and a
   * bearer header does not skip. Throws CsrfError (403), or the session's own 401 when the token
   * failed because the session behind it is gone.
   */
  checkCsrf(req: RequestLike, state: AuthState, formToken?: string | null): Promise<void>;
  /** The CSRF form field (`_csrf` by default) of a body a form parser already read, else null. */
  formToken(body: unknown): string | null;
  /** Guest sessions over HTTP: read, and write (creating one on the first write). */
  readonly guest: GuestHttp;
  /** Throws the 401 for a request without a session. */
  requireSession(
    state: AuthState,
  ): asserts state is AuthState & { auth: NonNullable<AuthState['auth']> };
  /**
   * A guard, validated once: it throws NotFreshError (401) unless the user authenticated within
   * `maxAge`. @throws ConfigError for an invalid duration.
   */
  requireFresh(maxAge: Duration): (state: AuthState) => void;
  /**
   * Consumes one point of `limiter` for `key`; throws RateLimitedError (429, reported as
   * `ratelimit.exceeded` for `route`) or StoreError (503).
   */
  rateLimit(limiter: RateLimiterLike, key: string, route?: string): Promise<void>;
  /** Reads a JSON object or urlencoded form body within `bodyLimit`. */
  readBody(source: BodySource, contentType: string | null | undefined): Promise<BodyFields>;
  /** `GET /auth/csrf`: a token for the session, or a pre-session (cookie) and its token. */
  csrfToken(state: AuthState): Promise<HttpReply>;
  /**
   * Completes a login the app verified: a fresh session id (never the old one), cookies, CSRF
   * token. A refusal (or null) is reported as `login.failed` and throws LoginFailedError (401).
   */
  login(
    req: RequestLike,
    state: AuthState,
    verdict: LoginGrant | LoginRefusal | null,
  ): Promise<HttpReply>;
  /**
   * `POST /auth/refresh`: rotates the refresh credential from the cookie or `body.refreshToken`.
   * A refused refresh cookie is answered (not thrown) with its 401, clearing the cookies.
   */
  refresh(req: RequestLike, state: AuthState, body: BodyFields): Promise<HttpReply>;
  /** `POST /auth/logout`: revokes the session (if any) and clears every auth cookie. */
  logout(req: RequestLike, state: AuthState): Promise<HttpReply>;
  /** `POST /auth/logout-all`: `{ exceptCurrent?: boolean }` → `{ revoked }`. */
  logoutAll(req: RequestLike, state: AuthState, body: BodyFields): Promise<HttpReply>;
  /** `GET /auth/sessions`: the caller's devices. */
  listSessions(state: AuthState): Promise<HttpReply>;
  /** `DELETE /auth/sessions/:id`: revokes one of the caller's sessions; 404 for anyone else's. */
  revokeSession(state: AuthState, sessionId: string): Promise<HttpReply>;
  /**
   * The reply for an error thrown by any of the above, or `null` when it is not a sess error (let
   * the framework's error handling have it). It sets `cookies` when given, else the renewed
   * cookies (or clears a cookie whose session is dead for good).
   */
  errorReply(
    error: unknown,
    state?: AuthState | null,
    cookies?: readonly CookieInstruction[],
  ): HttpReply | null;
}

/** What a guest write hands back: the guest session, and the headers the response must carry. */
export interface GuestWrite {
  readonly guest: GuestSession;
  /** `Set-Cookie` of a new guest credential (with `no-store`), renewed session cookies; else none. */
  readonly headers: readonly HttpHeader[];
}

/** Guest data over HTTP (`http.guest`); every rule is `sess.guest`'s, CSRF included. */
export interface GuestHttp {
  /** The request's guest session, or null (no guest cookie, or a dead one). Never creates one. */
  get(state: AuthState): Promise<GuestSession | null>;
  /**
   * Writes guest data, creating the guest session on the first write. Only on unsafe methods
   * (ConfigError on GET or HEAD: a link must never create or change one), and only once the CSRF
   * checks pass: run here unless the binding's `csrf` middleware already passed this request.
   * @throws CsrfError (403), GuestDataTooLargeError (413), StoreError (503).
   */
  set(
    req: RequestLike,
    state: AuthState,
    change: GuestChange,
    formToken?: string | null,
  ): Promise<GuestWrite>;
}
