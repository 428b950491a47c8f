import { type CookieInstruction, csrfCookie } from '../cookies/index.ts';
import { parseCredential } from '../credential.ts';
import type { CsrfProtection } from '../csrf/index.ts';
import { isSafeMethod } from '../csrf/protection.ts';
import { deviceLabel } from '../device-label.ts';
import {
  type AnySessError,
  ConfigError,
  CsrfError,
  ExpiredError,
  httpStatusFor,
  isSessError,
  LoginFailedError,
  NoCredentialError,
  NotFoundError,
  RateLimitedError,
  RefreshReuseError,
  RevokedError,
  StoreError,
} from '../errors.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Issued } from '../results.ts';
import { durationMs } from '../util/duration.ts';
import { parsedBody, readBody } from './body.ts';
import type { DeviceView, HttpAuth } from './contract.ts';
import { createGuestHttp, loginSession } from './guest.ts';
import { type HttpAuthOptions, resolveHttpAuthOptions } from './options.ts';
import { cookieHeaders, errorReply, type HttpHeader, NO_STORE, reply } from './reply.ts';
import { type AuthState, authenticate, isBrowserRequest } from './state.ts';

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

  // The states whose CSRF checks passed: a guest write runs them itself unless the binding's did.
  const csrfPassed = new WeakSet<AuthState>();
  const checkCsrf = async (
    req: RequestLike,
    state: AuthState,
    formToken?: string | null,
  ): Promise<void> => {
    if (isSafeMethod(req.method)) return;
    const carriesCookie =
      state.ambiguous ||
      state.cookies.session !== undefined ||
      state.cookies.refresh !== undefined ||
      state.cookies.guest !== undefined;
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
  };

  const http: HttpAuth = {
    options: resolved,
    authenticate: (req) => authenticate(manager, req),

    renewalHeaders(state) {
      const renewed = state.auth?.cookies;
      if (!renewed || renewed.length === 0 || state.via !== 'cookie') return NO_HEADERS;
      return [NO_STORE, ...cookieHeaders(renewed)];
    },

    async checkCsrf(req, state, formToken) {
      await checkCsrf(req, state, formToken);
      csrfPassed.add(state);
    },

    guest: createGuestHttp(
      manager,
      (req, state, formToken) => http.checkCsrf(req, state, formToken),
      (state) => csrfPassed.has(state),
    ),

    formToken(body) {
      const value = parsedBody(body)?.[manager.csrf?.config.formField ?? '_csrf'];
      return typeof value === 'string' ? value : null;
    },

    requireSession(state) {
      if (state.auth === null) throw state.error ?? new NoCredentialError();
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

    async login(req, state, verdict) {
      if (verdict === null || 'refused' in verdict) {
        const { refused: reason, account } = verdict ?? {};
        await manager.loginFailed({ reason, account, ip: req.ip });
        throw new LoginFailedError();
      }
      const { userId, body: extra, ...grant } = verdict;
      const request = { userAgent: req.headers.get('user-agent'), ip: req.ip ?? null };
      const previous = state.auth;
      let issued: Issued;
      if (previous !== null && previous.userId === userId) {
        // Same user signing in again: a new id against fixation, same device history.
        issued = await manager.regenerate(previous.sessionId, { authenticated: true });
      } else {
        if (previous !== null) await manager.revoke(previous.sessionId, 'logout');
        issued = await loginSession(manager, state, userId, { ...grant, request });
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
          if (fromCookie !== undefined) return errorReply(error, resolved, manager.clearCookies());
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
        label: deviceLabel(s.meta.userAgent),
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

    errorReply(error, state, cookies) {
      if (!isSessError(error)) return null;
      if (cookies !== undefined) return errorReply(error, resolved, cookies);
      let renewed = state?.via === 'cookie' ? (state.auth?.cookies ?? []) : [];
      // A cookie whose session is dead for good is dropped, so the client stops sending it.
      if (state?.via === 'cookie' && state.error !== null && deadCookie(state.error)) {
        renewed = manager.clearCookies();
      }
      return errorReply(error, resolved, renewed);
    },
  };
  return Object.freeze(http);
}

const NO_HEADERS: readonly HttpHeader[] = Object.freeze([]);
const DEAD: ReadonlySet<string> = new Set([RevokedError.code, RefreshReuseError.code]);
