import { ConfigError, LoginFailedError } from '../errors.ts';
import type { LoginFailureReason } from '../events.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Validated } from '../results.ts';
import type { Duration } from '../util/duration.ts';
import { type BodyFields, isFormType } from './body.ts';
import {
  createHttpAuth,
  type HttpAuth,
  type LoginGrant,
  type RateLimiterLike,
} from './http-auth.ts';
import type { HttpAuthOptions } from './options.ts';
import type { HttpHeader, HttpReply } from './reply.ts';
import type { AuthState } from './state.ts';

/** How a binding reads its framework's request (`C`: Express `req`, Koa `ctx`, Hono `c`). */
export interface BindingAdapter<C> {
  /** The request view core reads (method, headers, client IP). */
  request(ctx: C): RequestLike;
  /** Exposes the session through the framework's extension point (`req.sess`, …). */
  attach(ctx: C, auth: Validated | null): void;
  /** The whole body as a JSON object or form, within `limit` bytes (see `HttpAuth.readBody`). */
  body(ctx: C, http: HttpAuth): Promise<BodyFields>;
  /**
   * The form body, for the CSRF form field; asked only for an urlencoded request without the token
   * header. A body some parser already read, or else the body read now (kept where later handlers
   * find it, as a form parser would).
   */
  formBody(ctx: C, http: HttpAuth): unknown;
  /** A route parameter. */
  param(ctx: C, name: string): string | undefined;
}

/** Options every binding's `createAuth` takes: the HTTP options plus the route parameter name. */
export interface BindingOptions extends HttpAuthOptions {
  /** The route parameter holding the session id in `revokeSession`. @default 'id' */
  sessionIdParam?: string;
}

/**
 * What a step decided: append `headers` to the response, then send `reply` (its own headers are
 * `headers`) or, when it is null, hand on to the next handler.
 */
export interface Outcome {
  readonly headers: readonly HttpHeader[];
  readonly reply: HttpReply | null;
}

/** One middleware's behaviour for request `C`. Rejects only with errors that are not sess's own. */
export type Runner<C> = (ctx: C) => Promise<Outcome>;

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

/** Options of `rateLimit`. */
export interface RateLimitOptions<C> {
  /** The bucket a request counts against. @default the client IP */
  key?: (ctx: C) => string;
  /** The name `ratelimit.exceeded` and `metrics()` count refusals under (`'login'`, say). @default 'default' */
  route?: string;
}

/**
 * The middleware and handlers every binding exposes under the same names; `M` is the framework's
 * middleware type, `C` its request or context.
 */
export interface SessAuth<M, C> {
  /** Authenticates every request (bearer, then cookie) and attaches the session or null; 503 when the store fails. */
  readonly session: M;
  /** CSRF checks on unsafe requests that could ride cookies; mount after `session` and any form parser. */
  readonly csrf: M;
  /** 401 with `WWW-Authenticate` unless a session is attached. */
  readonly requireSession: M;
  /** 401 unless the user authenticated within `maxAge` (step-up for sensitive routes). */
  requireFresh(maxAge: Duration): M;
  /** 429 with `Retry-After` once `limiter` (rate-limiter-flexible) runs out for the request's key. */
  rateLimit(limiter: RateLimiterLike, options?: RateLimitOptions<C>): M;
  /** `GET /auth/csrf`: `{ csrfToken }`, setting the pre-session cookie when needed. */
  readonly csrfToken: M;
  /** `POST /auth/login`: runs `verify`, then creates (or regenerates) the session and sets cookies. */
  login(verify: LoginVerifier<C>): M;
  /** `POST /auth/refresh`: rotates the refresh credential (cookie, or `refreshToken` in the body). */
  readonly refresh: M;
  /** `POST /auth/logout`: revokes the session and clears every auth cookie. */
  readonly logout: M;
  /** `POST /auth/logout-all` `{ exceptCurrent? }` → `{ revoked }`. */
  readonly logoutAll: M;
  /** `GET /auth/sessions`: the caller's devices. */
  readonly listSessions: M;
  /** `DELETE /auth/sessions/:id`: revokes one of the caller's sessions (404 for anyone else's). */
  readonly revokeSession: M;
}

const NO_HEADERS: readonly HttpHeader[] = Object.freeze([]);
const PASS: Outcome = Object.freeze({ reply: null, headers: NO_HEADERS });

/** Turns a {@link Runner} into the framework's middleware: add the headers, then reply or hand on. */
export type Wrap<M, C> = (run: Runner<C>) => M;

/**
 * Builds a binding's whole public object: every piece as a framework-neutral {@link Runner},
 * turned into the framework's middleware by `wrap` and named for stack traces. A binding supplies
 * the adapter and `wrap`, and nothing more. Options are validated here, once.
 */
export function createBinding<M, C extends object>(
  manager: SessionManager,
  options: BindingOptions,
  adapter: BindingAdapter<C>,
  wrap: Wrap<M, C>,
): SessAuth<M, C> {
  const runners = createRunners(manager, options, adapter);
  const named = (name: string, run: Runner<C>): M => {
    const middleware = wrap(run);
    if (typeof middleware === 'function')
      Object.defineProperty(middleware, 'name', { value: name });
    return middleware;
  };
  const auth: SessAuth<M, C> = {
    session: named('sessSession', runners.session),
    csrf: named('sessCsrf', runners.csrf),
    requireSession: named('sessRequireSession', runners.requireSession),
    requireFresh: (maxAge) => named('sessRequireFresh', runners.requireFresh(maxAge)),
    rateLimit: (limiter, limitOptions) =>
      named('sessRateLimit', runners.rateLimit(limiter, limitOptions)),
    csrfToken: named('sessCsrfToken', runners.csrfToken),
    login: (verify) => named('sessLogin', runners.login(verify)),
    refresh: named('sessRefresh', runners.refresh),
    logout: named('sessLogout', runners.logout),
    logoutAll: named('sessLogoutAll', runners.logoutAll),
    listSessions: named('sessListSessions', runners.listSessions),
    revokeSession: named('sessRevokeSession', runners.revokeSession),
  };
  return Object.freeze(auth);
}

function createRunners<C extends object>(
  manager: SessionManager,
  options: BindingOptions,
  adapter: BindingAdapter<C>,
): SessAuth<Runner<C>, C> {
  const { sessionIdParam = 'id', ...httpOptions } = options;
  if (typeof sessionIdParam !== 'string' || sessionIdParam.length === 0) {
    throw new ConfigError(['sessionIdParam: a non-empty string']);
  }
  const http: HttpAuth = createHttpAuth(manager, httpOptions);
  // The request's state rides on the request object itself under a private symbol (one per
  // binding): a WeakMap entry per request costs more, in its insert and in every GC that follows.
  const STATE = Symbol('sess.state');
  type Carrier = { [STATE]?: AuthState };

  type Step = (ctx: C, state: AuthState) => Promise<HttpReply | undefined> | HttpReply | undefined;
  // The first sess middleware of a request authenticates it (later ones reuse the state) and
  // carries the renewed cookies, so any one of them (`requireSession` alone on a route, say) is
  // complete; error replies carry them already. Written with `then`, not `async`: an async frame
  // per middleware per request is most of what a cached validation would allocate.
  const failure = (error: unknown, state: AuthState | undefined): Outcome => {
    const reply = http.errorReply(error, state);
    if (reply === null) throw error;
    return { reply, headers: reply.headers };
  };
  const outcome = (reply: HttpReply | undefined, renewal: readonly HttpHeader[]): Outcome => {
    if (reply === undefined) return renewal.length === 0 ? PASS : { reply: null, headers: renewal };
    return {
      reply,
      headers: renewal.length === 0 ? reply.headers : [...renewal, ...reply.headers],
    };
  };
  const runner = (step: Step): Runner<C> => {
    const settle = (ctx: C, state: AuthState, renewal: readonly HttpHeader[]) => {
      let result: ReturnType<Step>;
      try {
        result = step(ctx, state);
      } catch (error) {
        return failure(error, state);
      }
      return result instanceof Promise // guards answer at once
        ? result.then(
            (reply) => outcome(reply, renewal),
            (error: unknown) => failure(error, state),
          )
        : outcome(result, renewal);
    };
    const authenticated = (ctx: C, state: AuthState) => {
      let renewal: readonly HttpHeader[];
      try {
        (ctx as Carrier)[STATE] = state;
        adapter.attach(ctx, state.auth);
        renewal = http.renewalHeaders(state);
      } catch (error) {
        return failure(error, state);
      }
      return settle(ctx, state, renewal);
    };
    return (ctx) => {
      const state = (ctx as Carrier)[STATE];
      try {
        if (state !== undefined) return Promise.resolve(settle(ctx, state, NO_HEADERS));
        return http.authenticate(adapter.request(ctx)).then(
          (fresh) => authenticated(ctx, fresh),
          (error: unknown) => failure(error, undefined),
        );
      } catch (error) {
        // A throw of a non-sess error from `failure` becomes the rejection, as the contract says.
        return new Promise<Outcome>((resolve) => resolve(failure(error, state)));
      }
    };
  };

  return Object.freeze({
    session: runner(() => undefined),
    csrf: runner(async (ctx, state) => {
      const request = adapter.request(ctx);
      const headerName = manager.csrf?.config.headerName;
      const needsForm =
        headerName !== undefined &&
        request.headers.get(headerName) === null &&
        isFormType(request.headers.get('content-type'));
      const formToken = needsForm ? http.formToken(await adapter.formBody(ctx, http)) : null;
      await http.checkCsrf(request, state, formToken);
      return undefined;
    }),
    requireSession: runner((_ctx, state) => {
      http.requireSession(state);
      return undefined;
    }),
    requireFresh(maxAge: Duration): Runner<C> {
      const check = http.requireFresh(maxAge);
      return runner((_ctx, state) => {
        check(state);
        return undefined;
      });
    },
    rateLimit(limiter: RateLimiterLike, limitOptions: RateLimitOptions<C> = {}): Runner<C> {
      if (typeof limiter?.consume !== 'function') {
        throw new ConfigError(['rateLimit: a rate-limiter-flexible limiter (with consume)']);
      }
      const key = limitOptions.key ?? ((ctx: C) => adapter.request(ctx).ip ?? 'unknown');
      const route = limitOptions.route ?? 'default';
      return runner(async (ctx) => {
        await http.rateLimit(limiter, key(ctx), route);
        return undefined;
      });
    },
    csrfToken: runner((_ctx, state) => http.csrfToken(state)),
    login(verify: LoginVerifier<C>): Runner<C> {
      if (typeof verify !== 'function') throw new ConfigError(['login: a verify function']);
      return runner(async (ctx, state) => {
        const grant = await verify(ctx, await adapter.body(ctx, http));
        const request = adapter.request(ctx);
        if (grant === null || 'refused' in grant) {
          const { refused: reason, account } = grant ?? {};
          await manager.loginFailed({ reason, account, ip: request.ip });
          throw new LoginFailedError();
        }
        return http.login(request, state, grant);
      });
    },
    refresh: runner(async (ctx, state) =>
      http.refresh(adapter.request(ctx), state, await adapter.body(ctx, http)),
    ),
    logout: runner((ctx, state) => http.logout(adapter.request(ctx), state)),
    logoutAll: runner(async (ctx, state) =>
      http.logoutAll(adapter.request(ctx), state, await adapter.body(ctx, http)),
    ),
    listSessions: runner((_ctx, state) => http.listSessions(state)),
    revokeSession: runner((ctx, state) =>
      http.revokeSession(state, adapter.param(ctx, sessionIdParam) ?? ''),
    ),
  });
}
