import { type CookieInstruction, csrfCookie } from '../cookies/index.ts';
import { parseCredential } from '../credential.ts';
import type { CsrfProtection } from '../csrf/index.ts';
import { isSafeMethod } from '../csrf/protection.ts';
import {
  type AnySessError,
  ConfigError,
  CsrfError,
  ExpiredError,
  httpStatusFor,
  InvalidCredentialError,
  isSessError,
  NotFoundError,
  RateLimitedError,
  RefreshReuseError,
  RevokedError,
  StoreError,
} from '../errors.ts';
import type { CreateOptions, SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Issued } from '../results.ts';
import { type Duration, durationMs } from '../util/duration.ts';
import { type BodyFields, type BodySource, parsedBody, readBody } from './body.ts';
import {
  type HttpAuthOptions,
  type ResolvedHttpAuthOptions,
  resolveHttpAuthOptions,
} from './options.ts';
import {
  cookieHeaders,
  errorReply,
  type HttpHeader,
  type HttpReply,
  NO_STORE,
  reply,
} from './reply.ts';
import { type AuthState, authenticate, isBrowserRequest } from './state.ts';

/** What the app hands to `login` once it has verified the user. */
export interface LoginGrant extends Omit<CreateOptions, 'request'> {
  /** The authenticated user's id. */
  userId: string;
  /** Extra fields for the response body (for example `user: { id, email }`). */
  body?: Record<string, unknown>;
}

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
  readonly userAgent: string | null;
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
  /** Completes a login the app verified: a fresh session id (never the old one), cookies, CSRF token. */
  login(req: RequestLike, state: AuthState, grant: LoginGrant): Promise<HttpReply>;
  /** `POST /auth/refresh`: rotates the refresh credential from the cookie or `body.refreshToken`. */
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
   * the framework's error handling have it). Renewed cookies ride along.
   */
  errorReply(error: unknown, state?: AuthState | null): HttpReply | null;
}

/**
 * Creates the HTTP layer for a session manager. Options are validated here, once.
 *
 * @example
 * ```ts
 * const http = createHttpAuth(sess, { clearSiteData: ['cookies'] });
 * const state = await http.authenticate(request);
 * ```
 */
export function createHttpAuth(manager: SessionManager, options?: HttpAuthOptions): HttpAuth {
  const resolved = resolveHttpAuthOptions(options);
  const { cookies: resolvedCookies, strategy } = manager;
  const bodyCredential = strategy === 'database' ? 'sessionToken' : 'refreshToken';

  const csrf = (): CsrfProtection => {
    if (manager.csrf === null)
      throw new ConfigError(['csrf: the session manager has no csrf options']);
    return manager.csrf;
  };
  const tokensInBody = (req: RequestLike) => resolved.tokensInBody && !isBrowserRequest(req);

  // A session credential that fails is dead for good; an access token that fails (expired, old
  // key) is not: the refresh cookie beside it must survive to renew it. A session that timed out
  // keeps its cookie too, so the refresh the client tries next hears "timed out" as well (and
  // clears it), instead of a missing credential.
  const deadCookie = (error: AnySessError): boolean =>
    strategy === 'database'
      ? httpStatusFor(error.code) === 401 && error.code !== ExpiredError.code
      : DEAD.has(error.code);

  const clearing = (): HttpHeader[] =>
    resolved.clearSiteData === null ? [] : [['clear-site-data', resolved.clearSiteData]];

  /** The CSRF token for a session, and in double-submit mode the cookie that mirrors it. */
  const sessionCsrf = async (sessionId: string) => {
    const protection = manager.csrf;
    if (protection === null || protection.config.mode === 'origin-only') {
      return { token: null, cookies: [] as CookieInstruction[] };
    }
    const token = await protection.issue({ sessionId });
    const mirror =
      protection.config.mode === 'double-submit' ? [csrfCookie(resolvedCookies, token)] : [];
    return { token, cookies: mirror };
  };

  const issuedBody = (req: RequestLike, issued: Issued): Record<string, unknown> => {
    // A browser keeps its access token in an HttpOnly cookie, out of script's reach (ASVS
    // 3.3.4); it learns only when to refresh.
    const body: Record<string, unknown> = {};
    const inBody = tokensInBody(req);
    if (issued.accessToken !== null) {
      if (inBody) body.accessToken = issued.accessToken;
      body.expiresIn = issued.expiresIn;
    }
    if (inBody) body[bodyCredential] = issued.credential;
    return body;
  };

  const isTokenFailure = (error: unknown): boolean =>
    isSessError(error) && error.code === CsrfError.code && error.reason.startsWith('token-');

  const http: HttpAuth = {
    options: resolved,
    authenticate: (req) => authenticate(manager, req),

    renewalHeaders(state) {
      const renewed = state.auth?.cookies;
      if (!renewed || renewed.length === 0 || state.via !== 'cookie') return NO_HEADERS;
      return [NO_STORE, ...cookieHeaders(renewed)];
    },

    async checkCsrf(req, state, formToken) {
      if (isSafeMethod(req.method)) return;
      const carriesCookie =
        state.ambiguous ||
        state.cookies.session !== undefined ||
        state.cookies.refresh !== undefined;
      if (!carriesCookie && !isBrowserRequest(req)) return;
      // A refresh is most often sent once the access token has expired and its cookie is gone:
      // the page's session-bound token is then checked against the refresh cookie's session.
      const refreshId =
        state.auth === null && !state.ambiguous ? parseCredential(state.cookies.refresh)?.id : null;
      try {
        if (state.ambiguous) {
          // Refuse before any other check: a tossed cookie must never pick the binding.
          await csrf().protect(req, {});
          throw new CsrfError('token-invalid');
        }
        const sessionId = state.auth?.sessionId ?? null;
        const tokens = { cookieToken: state.cookies.csrf ?? null, formToken: formToken ?? null };
        if (refreshId) {
          try {
            return await csrf().protect(req, { sessionId: refreshId, ...tokens });
          } catch (error) {
            if (!isTokenFailure(error)) throw error; // else: a pre-session token, checked below
          }
        }
        await csrf().protect(req, {
          sessionId,
          preSessionId: sessionId === null ? (state.cookies.csrf ?? null) : null,
          ...tokens,
        });
      } catch (error) {
        // The token was for a session that is gone: the honest answer is its 401. Not beside a
        // refresh credential, whose session may be alive: a 401 from refresh means "signed out".
        if (
          isTokenFailure(error) &&
          state.auth === null &&
          state.error !== null &&
          !state.ambiguous &&
          !refreshId
        ) {
          throw state.error;
        }
        throw error;
      }
    },

    formToken(body) {
      const value = parsedBody(body)?.[manager.csrf?.config.formField ?? '_csrf'];
      return typeof value === 'string' ? value : null;
    },

    requireSession(state) {
      if (state.auth === null) throw state.error ?? new InvalidCredentialError('missing');
    },

    requireFresh(maxAge) {
      const maxAgeMs = durationMs(maxAge, 'requireFresh(maxAge)');
      return (state) => {
        http.requireSession(state);
        manager.requireFresh(state.auth, maxAgeMs / 1000);
      };
    },

    async rateLimit(limiter, key, route = 'default') {
      try {
        await limiter.consume(key);
      } catch (outcome) {
        if (outcome instanceof Error) throw new StoreError('rateLimit', { cause: outcome });
        manager.rateLimited(route);
        const ms = (outcome as { msBeforeNext?: unknown } | null)?.msBeforeNext;
        throw new RateLimitedError(Math.max(1, Math.ceil(typeof ms === 'number' ? ms / 1000 : 1)));
      }
    },

    readBody: (source, contentType) => readBody(source, contentType, resolved.bodyLimit),

    async csrfToken(state) {
      const protection = csrf();
      if (state.auth !== null) {
        const { token, cookies } = await sessionCsrf(state.auth.sessionId);
        return reply(200, { csrfToken: token }, cookies);
      }
      if (protection.config.mode === 'origin-only') return reply(200, { csrfToken: null });
      const existing = state.ambiguous ? undefined : state.cookies.csrf;
      if (existing !== undefined) {
        return reply(200, { csrfToken: await protection.issue({ preSessionId: existing }) });
      }
      const pre = await protection.preSession();
      return reply(200, { csrfToken: pre.token }, [csrfCookie(resolvedCookies, pre.preSessionId)]);
    },

    async login(req, state, grant) {
      const { userId, body: extra, ...createOptions } = grant;
      const request = { userAgent: req.headers.get('user-agent'), ip: req.ip ?? null };
      const previous = state.auth;
      let issued: Issued;
      if (previous !== null && previous.userId === userId) {
        // Same user signing in again: a new id against fixation, same device history.
        issued = await manager.regenerate(previous.sessionId, { authenticated: true });
      } else {
        if (previous !== null) await manager.revoke(previous.sessionId, 'logout');
        issued = await manager.create(userId, { ...createOptions, request });
      }
      const { token, cookies } = await sessionCsrf(issued.session.id);
      const body = { ...extra, csrfToken: token, ...issuedBody(req, issued) };
      const set = [...issued.cookies, ...cookies];
      // No cookie value chosen before login survives it (fixation): whatever sess cookie this
      // response does not set anew (the pre-session CSRF cookie, a stray refresh cookie) is cleared.
      const cleared = manager.clearCookies().filter((c) => !set.some((s) => s.name === c.name));
      return reply(200, body, [...set, ...cleared]);
    },

    async refresh(req, state, body) {
      const fromCookie = strategy === 'database' ? state.cookies.session : state.cookies.refresh;
      const credential =
        fromCookie ?? (typeof body[bodyCredential] === 'string' ? body[bodyCredential] : null);
      const device = { userAgent: req.headers.get('user-agent'), ip: req.ip ?? null };
      try {
        const issued = await manager.refresh(credential as string | null, device);
        return reply(200, issuedBody(req, issued), issued.cookies);
      } catch (error) {
        if (isSessError(error) && httpStatusFor(error.code) === 401) {
          manager.credentialRefused(error, 'refresh');
          // The refresh cookie is dead for good: drop it so the client stops presenting it.
          if (fromCookie !== undefined) throw withCookies(error, manager.clearCookies());
        }
        throw error;
      }
    },

    async logout(_req, state) {
      if (state.auth !== null) await manager.revoke(state.auth.sessionId, 'logout');
      return reply(200, { loggedOut: true }, manager.clearCookies(), clearing());
    },

    async logoutAll(_req, state, body) {
      http.requireSession(state);
      // A form sends the string 'true'.
      const exceptCurrent = body.exceptCurrent === true || body.exceptCurrent === 'true';
      const { userId, sessionId } = state.auth;
      const revoked = await manager.revokeAllForUser(userId, {
        except: exceptCurrent ? [sessionId] : [],
      });
      return exceptCurrent
        ? reply(200, { revoked })
        : reply(200, { revoked }, manager.clearCookies(), clearing());
    },

    async listSessions(state) {
      http.requireSession(state);
      const current = state.auth.sessionId;
      const sessions: DeviceView[] = (await manager.list(state.auth.userId)).map((s) => ({
        id: s.id,
        createdAt: new Date(s.createdAt).toISOString(),
        lastActiveAt: new Date(s.lastActiveAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
        userAgent: s.meta.userAgent ?? null,
        ip: s.meta.ip ?? null,
        current: s.id === current,
      }));
      return reply(200, { sessions });
    },

    async revokeSession(state, sessionId) {
      http.requireSession(state);
      const own = await manager.list(state.auth.userId);
      // Someone else's session and no session at all look the same: nothing to probe.
      if (!own.some((s) => s.id === sessionId)) throw new NotFoundError();
      await manager.revoke(sessionId, 'logout');
      const isCurrent = sessionId === state.auth.sessionId;
      return reply(200, { revoked: true }, isCurrent ? manager.clearCookies() : []);
    },

    errorReply(error, state) {
      if (!isSessError(error)) return null;
      const attached = (error as { [COOKIES]?: readonly CookieInstruction[] })[COOKIES];
      let cookies = state?.via === 'cookie' ? (state.auth?.cookies ?? []) : [];
      // A cookie whose session is dead for good is dropped, so the client stops sending it.
      if (state?.via === 'cookie' && state.error !== null && deadCookie(state.error)) {
        cookies = manager.clearCookies();
      }
      return errorReply(error, resolved, attached ?? cookies);
    },
  };
  return Object.freeze(http);
}

const NO_HEADERS: readonly HttpHeader[] = Object.freeze([]);
const COOKIES = Symbol('sess.cookies');
const DEAD: ReadonlySet<string> = new Set([RevokedError.code, RefreshReuseError.code]);

function withCookies(error: AnySessError, cookies: readonly CookieInstruction[]): AnySessError {
  Object.defineProperty(error, COOKIES, { value: cookies });
  return error;
}
