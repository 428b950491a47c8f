import { ConfigError } from '../errors.ts';
import type { GuestChange, GuestSession } from '../guest.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Validated } from '../results.ts';
import type { Duration } from '../util/duration.ts';
import { type BodyFields, isFormType, parsedBody } from './body.ts';
import type { GuestWrite, HttpAuth, LoginVerifier, RateLimiterLike } from './contract.ts';
import { createHttpAuth } from './http-auth.ts';
import type { BindingOptions } from './options.ts';
import type { HttpHeader } from './reply.ts';
import {
  AUTH_ROUTE_NAMES,
  AUTH_ROUTES,
  type AuthRoute,
  type AuthRouteName,
  type AuthRouteTable,
  type MountedRoute,
  matchRoute,
  type RoutesOptions,
  resolveRoutesOptions,
} from './routes.ts';
import { createStepRunner, type Runner } from './runner.ts';
import type { AuthState } from './state.ts';

/** How a binding reads its framework's request (`C`: Express `req`, Koa `ctx`, Hono `c`). */
export interface BindingAdapter<C> {
  /** The request view core reads (method, headers, client IP). */
  request(ctx: C): RequestLike;
  /** Exposes the session through the framework's extension point (`req.sess`, …). */
  attach(ctx: C, auth: Validated | null): void;
  /**
   * The body: what a parser already made of it, or else the body read now with `http.readBody`
   * (within `bodyLimit`, kept where later handlers find it, as a parser would). Core takes it as
   * fields when it is a plain object (`parsedBody`); asked only by the routes that read a body, and
   * for the CSRF form field of an urlencoded request without the token header.
   */
  body(ctx: C, http: HttpAuth): unknown;
  /** A route parameter. */
  param(ctx: C, name: string): string | undefined;
  /**
   * The path the client asked for, before any router stripped a mount prefix: the mounted routes
   * refuse to run under a prefix their cookies do not know. @default not checked
   */
  path?(ctx: C): string;
  /**
   * Appends headers to the response (a guest write's `Set-Cookie`), for frameworks whose request
   * reaches its response. @default not applied: the caller applies `GuestWrite.headers`
   */
  headers?(ctx: C, headers: readonly HttpHeader[]): void;
}

/** Guest data from an app's own handlers, under the same names in every binding. */
export interface GuestAccess<C> {
  /** The request's guest session, or null. Never creates one: call it on any method. */
  get(ctx: C): Promise<GuestSession | null>;
  /**
   * Writes the request's guest data, creating the guest session (and its cookie) on the first
   * write. Unsafe methods only (a ConfigError on GET); the CSRF checks run here unless the `csrf`
   * middleware already passed the request. The binding sets the headers on the response where its
   * request reaches it (all but `@sess/web`, where `auth.apply(response, write)` does).
   * @throws CsrfError (403), GuestDataTooLargeError (413), StoreError (503): map them with
   *   `httpStatusFor(err.code)`.
   */
  set(ctx: C, change: GuestChange): Promise<GuestWrite>;
}

/** Options of `rateLimit`. */
export interface RateLimitOptions<C> {
  /** The bucket a request counts against. @default the client IP */
  key?: (ctx: C) => string;
  /** The name `ratelimit.exceeded` and `metrics()` count refusals under (`'login'`, say). @default 'default' */
  route?: string;
}

/** The middleware every binding exposes under the same names. */
export interface SessMiddleware<M, C> {
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
}

/** One handler per auth route of {@link AUTH_ROUTES}; a route that takes a verifier is a function of it. */
export type SessRouteHandlers<M, C> = {
  readonly [K in keyof AuthRouteTable]: AuthRouteTable[K] extends AuthRoute<true>
    ? (verify: LoginVerifier<C>) => M
    : M;
};

/**
 * The middleware and handlers every binding exposes under the same names; `M` is the framework's
 * middleware type, `C` its request or context, `R` what its one-line mount returns.
 */
export type SessAuth<M, C, R = readonly MountedRoute<M>[]> = SessMiddleware<M, C> &
  SessRouteHandlers<M, C> & {
    /** Guest sessions (the `guest` option): read and write the visitor's data before login. */
    readonly guest: GuestAccess<C>;
    /**
     * Every auth route at once, in the framework's router idiom, with the refresh route at the
     * refresh cookie's path. @throws ConfigError for a `prefix` that disagrees with it.
     */
    routes(options: RoutesOptions<C>): R;
  };

export type { LoginVerifier } from './contract.ts';
export type { BindingOptions } from './options.ts';
export type { RoutesOptions } from './routes.ts';

/** Turns a {@link Runner} into the framework's middleware: add the headers, then reply or hand on. */
export type Wrap<M, C> = (run: Runner<C>) => M;

/** Turns the mounted routes into the framework's router (or a middleware that dispatches). */
export type Mount<M, R> = (routes: readonly MountedRoute<M>[]) => R;

const EMPTY: BodyFields = Object.freeze({});

/**
 * Builds a binding's whole public object: every piece as a framework-neutral {@link Runner},
 * turned into the framework's middleware by `wrap` and named for stack traces, and the routes of
 * {@link AUTH_ROUTES} turned into a router by `mount`. A binding supplies the adapter, `wrap` and
 * `mount`, and nothing more. Options are validated here, once.
 */
export function createBinding<M, C extends object, R = readonly MountedRoute<M>[]>(
  manager: SessionManager,
  options: BindingOptions,
  adapter: BindingAdapter<C>,
  wrap: Wrap<M, C>,
  mount: Mount<M, R> = (routes) => routes as R,
): SessAuth<M, C, R> {
  const { sessionIdParam = 'id', ...httpOptions } = options;
  if (typeof sessionIdParam !== 'string' || sessionIdParam.length === 0) {
    throw new ConfigError(['sessionIdParam: a non-empty string']);
  }
  const http: HttpAuth = createHttpAuth(manager, httpOptions);
  const runner = createStepRunner<C>(
    http,
    (ctx, state) => adapter.attach(ctx, state.auth),
    adapter.request,
  );
  const named = (name: string, run: Runner<C>): M => {
    const middleware = wrap(run);
    if (typeof middleware === 'function')
      Object.defineProperty(middleware, 'name', { value: name });
    return middleware;
  };
  const passed = () => undefined;

  const rateLimit = (limiter: RateLimiterLike, limitOptions: RateLimitOptions<C> = {}): M => {
    if (typeof limiter?.consume !== 'function') {
      throw new ConfigError(['rateLimit: a rate-limiter-flexible limiter (with consume)']);
    }
    const key = limitOptions.key ?? ((ctx: C) => adapter.request(ctx).ip ?? 'unknown');
    const route = limitOptions.route ?? 'default';
    return named(
      'sessRateLimit',
      runner(async (ctx) => {
        await http.rateLimit(limiter, key(ctx), route);
        return undefined;
      }),
    );
  };

  const handler = (name: AuthRouteName, verify?: LoginVerifier<C>, mounted?: string): M => {
    const route: AuthRoute = AUTH_ROUTES[name];
    if (route.verify && typeof verify !== 'function') {
      throw new ConfigError([`${name}: a verify function`]);
    }
    const at = mounted === undefined ? [] : [{ method: route.method, path: mounted }];
    const step = async (ctx: C, state: AuthState) => {
      const asked = at.length === 0 ? undefined : adapter.path?.(ctx).split('?')[0];
      if (asked !== undefined && matchRoute(at, route.method, asked) === null) {
        throw new ConfigError([
          `routes: '${name}' answered under a mount prefix; mount auth.routes() at the root ` +
            '(set cookies.refreshPath to move the routes)',
        ]);
      }
      const body = route.body ? (parsedBody(await adapter.body(ctx, http)) ?? EMPTY) : EMPTY;
      const verdict = verify ? await verify(ctx, body) : null;
      const param = route.param ? (adapter.param(ctx, sessionIdParam) ?? '') : '';
      // The request view only for the routes that read it, as each handler did on its own.
      return route.run(http, {
        get request() {
          return adapter.request(ctx);
        },
        state,
        body,
        param,
        verdict,
      });
    };
    const label = `sess${name[0]?.toUpperCase()}${name.slice(1)}`;
    return named(label, runner(step));
  };

  const handlers = {} as Record<AuthRouteName, unknown>;
  for (const name of AUTH_ROUTE_NAMES) {
    handlers[name] = AUTH_ROUTES[name].verify
      ? (verify: LoginVerifier<C>) => handler(name, verify)
      : handler(name);
  }

  const guest: GuestAccess<C> = Object.freeze({
    get: async (ctx: C) => http.guest.get((await runner.state(ctx)).state),
    async set(ctx: C, change: GuestChange): Promise<GuestWrite> {
      const { state, headers: renewal } = await runner.state(ctx);
      const request = adapter.request(ctx);
      const formToken = needsForm(request) ? http.formToken(await adapter.body(ctx, http)) : null;
      const written = await http.guest.set(request, state, change, formToken);
      const headers = [...renewal, ...written.headers];
      if (headers.length > 0) adapter.headers?.(ctx, headers);
      return { guest: written.guest, headers };
    },
  });
  const needsForm = (request: RequestLike): boolean => {
    const headerName = manager.csrf?.config.headerName;
    return (
      headerName !== undefined &&
      request.headers.get(headerName) === null &&
      isFormType(request.headers.get('content-type'))
    );
  };

  const auth: SessAuth<M, C, R> = {
    session: named('sessSession', runner(passed)),
    guest,
    csrf: named(
      'sessCsrf',
      runner(async (ctx, state) => {
        const request = adapter.request(ctx);
        const formToken = needsForm(request) ? http.formToken(await adapter.body(ctx, http)) : null;
        await http.checkCsrf(request, state, formToken);
        return undefined;
      }),
    ),
    requireSession: named(
      'sessRequireSession',
      runner((_ctx, state) => {
        http.requireSession(state);
        return undefined;
      }),
    ),
    requireFresh(maxAge) {
      const check = http.requireFresh(maxAge);
      return named(
        'sessRequireFresh',
        runner((_ctx, state) => {
          check(state);
          return undefined;
        }),
      );
    },
    rateLimit,
    ...(handlers as SessRouteHandlers<M, C>),
    routes(routesOptions) {
      const { login, limit, paths } = resolveRoutesOptions(
        routesOptions,
        manager.cookies,
        sessionIdParam,
      );
      const routes = AUTH_ROUTE_NAMES.map((name): MountedRoute<M> => {
        const limiter = limit[name];
        const limited = limiter === undefined ? [] : [rateLimit(limiter, { route: name })];
        const last = handler(name, AUTH_ROUTES[name].verify ? login : undefined, paths[name]);
        const { method } = AUTH_ROUTES[name];
        return Object.freeze({ name, method, path: paths[name], handlers: [...limited, last] });
      });
      return mount(Object.freeze(routes));
    },
  };
  return Object.freeze(auth);
}
