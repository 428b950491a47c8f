import {
  ConfigError,
  type GuestChange,
  type GuestSession,
  type RequestLike,
  type SessionManager,
  type Validated,
} from '@sess/core';
import {
  type BindingOptions,
  type BodyFields,
  createBinding,
  type GuestWrite,
  type HttpAuth,
  type HttpHeader,
  matchRoute,
  type Runner,
  type SessAuth,
} from '@sess/core/http';
import { applyHeaders, jsonResponse, type SessResult } from './response.ts';

/** What the server knows about a request besides the `Request` itself. */
export interface RequestExtras {
  /**
   * The client IP, for runtimes that hand it beside the request (`info.remoteAddr.hostname` in
   * `Deno.serve`, the socket under Node). Wins over the `clientIp` option.
   */
  readonly ip?: string | null;
  /** Route parameters, for a handler mounted by hand (`{ id }` for `revokeSession`). */
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * One request as sess's handlers see it; the login verifier receives it. The same `Request` object
 * passed to several handlers is authenticated once.
 */
export interface WebContext {
  /** The request. */
  readonly request: Request;
  /** The authenticated session, or null (set once the request is authenticated). */
  readonly session: Validated | null;
  /** Route parameters (the mount's, and those passed in {@link RequestExtras}). */
  readonly params: Readonly<Record<string, string>>;
}

/** Options of {@link createAuth}. */
export interface AuthOptions extends BindingOptions {
  /**
   * The client IP (device lists, binding checks, the default rate-limit key). The Fetch API has no
   * socket: pass your runtime's way, or a header your proxy sets and clients cannot, such as
   * `CF-Connecting-IP` on Cloudflare (`(r) => r.headers.get('cf-connecting-ip')`). In Bun,
   * `(r) => server.requestIP(r)?.address ?? null`; in Deno pass `{ ip }` per request instead.
   * @default () => null
   */
  clientIp?: (request: Request) => string | null;
}

/** A sess middleware on the Fetch API: the request in, what sess decided out. */
export type SessHandler = (request: Request, extras?: RequestExtras) => Promise<SessResult>;

/**
 * Every auth route from one handler: the route's `Response`, or null when the request is not for
 * an auth route (answer it yourself).
 */
export type RoutesHandler = (request: Request, extras?: RequestExtras) => Promise<Response | null>;

/**
 * The session and CSRF middleware, guards, rate limiter and auth handlers on the Fetch API, and
 * `routes(options)`, one handler that answers every auth route.
 */
export type Auth = Omit<SessAuth<SessHandler, WebContext, RoutesHandler>, 'guest'> & {
  /**
   * Guest sessions (the `guest` option), by `Request`: `set` returns the headers to pass to
   * `apply(response, write)` (a new guest cookie), as the Fetch API has no response to set them on.
   */
  readonly guest: {
    get(request: Request, extras?: RequestExtras): Promise<GuestSession | null>;
    set(request: Request, change: GuestChange, extras?: RequestExtras): Promise<GuestWrite>;
  };
  /** The session, then the CSRF checks for unsafe methods: what most apps run first. */
  readonly authenticate: SessHandler;
  /**
   * `response` with the headers of `results` (renewed cookies, `no-store`) before its own. The
   * same object when its headers are mutable, else a copy.
   */
  apply(response: Response, ...results: readonly Pick<SessResult, 'headers'>[]): Response;
};

interface Context extends WebContext {
  session: Validated | null;
  params: Record<string, string>;
  ip: string | null | undefined;
  view?: RequestLike;
  path?: string;
  fields?: Promise<BodyFields>;
  csrfChecked?: boolean;
}

// Several handlers of one binding (`authenticate` in a hook, then the route) share one request's
// state; each binding has its own map, so one binding's CSRF pass never stands for another's.
type Contexts = WeakMap<Request, Context>;

function contextOf(
  contexts: Contexts,
  request: Request,
  extras: RequestExtras | undefined,
): Context {
  let ctx = contexts.get(request);
  if (ctx === undefined) {
    ctx = { request, session: null, params: {}, ip: undefined };
    contexts.set(request, ctx);
  }
  if (extras?.ip !== undefined) ctx.ip = extras.ip;
  if (extras?.params !== undefined) ctx.params = { ...ctx.params, ...extras.params };
  return ctx;
}

function pathOf(ctx: Context): string {
  ctx.path ??= new URL(ctx.request.url).pathname;
  return ctx.path;
}

// The body is read from a clone, once per request: a Remix action or SvelteKit form handler can
// still read the request's own after the CSRF check looked for the form field.
function fieldsOf(ctx: Context, http: HttpAuth): Promise<BodyFields> {
  ctx.fields ??= http.readBody(ctx.request.clone().body, ctx.request.headers.get('content-type'));
  return ctx.fields;
}

// Each handler's runner, for `routes` to chain them as one response.
const runners = new WeakMap<SessHandler, Runner<Context>>();

/** A runner as a Fetch handler: what it decided, with a `Response` for a reply. */
function handlerOf(contexts: Contexts, run: Runner<Context>): SessHandler {
  const handler: SessHandler = (request, extras) => {
    const ctx = contextOf(contexts, request, extras);
    return run(ctx).then(({ reply, headers }) => ({
      session: ctx.session,
      response: reply === null ? null : jsonResponse(reply, headers),
      headers,
    }));
  };
  runners.set(handler, run);
  return handler;
}

/**
 * Creates the Fetch API binding for a session manager. Options are validated here, once. Needs
 * nothing but `Request`, `Response`, `Headers` and Web Crypto, so it runs on Node, Bun, Deno and
 * Workers, in a Next.js route handler or middleware, a Remix or React Router loader or action,
 * or a SvelteKit hook.
 *
 * @example
 * ```ts
 * const auth = createAuth(sess, { clientIp: (r) => r.headers.get('cf-connecting-ip') });
 * const routes = auth.routes({
 *   login: async (ctx, body) => {
 *     const user = await users.verify(body.email, body.password);
 *     return user && { userId: user.id, body: { user } };
 *   },
 * });
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const result = await auth.authenticate(request);
 *     if (result.response) return result.response;
 *     const response = (await routes(request)) ?? Response.json({ userId: result.session?.userId });
 *     return auth.apply(response, result);
 *   },
 * };
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  const { clientIp = () => null, ...bindingOptions } = options;
  if (typeof clientIp !== 'function') throw new ConfigError(['clientIp: a function']);
  const contexts: Contexts = new WeakMap();
  const wrap = (run: Runner<Context>) => handlerOf(contexts, run);
  const requestView = (ctx: Context): RequestLike => {
    ctx.view ??= {
      method: ctx.request.method,
      headers: ctx.request.headers,
      get ip() {
        if (ctx.ip === undefined) ctx.ip = clientIp(ctx.request);
        return ctx.ip;
      },
    };
    return ctx.view;
  };

  const binding = createBinding<SessHandler, Context, RoutesHandler>(
    manager,
    bindingOptions,
    {
      request: requestView,
      attach: (ctx, auth) => {
        ctx.session = auth;
      },
      body: fieldsOf,
      param: (ctx, name) => ctx.params[name],
      path: pathOf,
    },
    wrap,
    (routes) => {
      const chains = routes.map((route) => ({
        ...route,
        runs: [csrfOnce, ...route.handlers].map((h) => runners.get(h) as Runner<Context>),
      }));
      return async function sessRoutes(request, extras) {
        const ctx = contextOf(contexts, request, extras);
        const found = matchRoute(chains, request.method, pathOf(ctx));
        if (found === null) return null;
        ctx.params = { ...ctx.params, ...found.params };
        // As in Express and Koa: each step's headers in order, the reply's last.
        const headers: HttpHeader[] = [];
        for (const run of found.route.runs) {
          const outcome = await run(ctx);
          headers.push(...outcome.headers);
          if (outcome.reply !== null) return jsonResponse(outcome.reply, headers);
        }
        return null;
      };
    },
  );

  // The CSRF check runs once per request: in `authenticate` (a hook) and again in `routes`.
  const checks = runners.get(binding.csrf) as Runner<Context>;
  const passes = runners.get(binding.session) as Runner<Context>;
  const csrfOnce = wrap((ctx) =>
    (ctx.csrfChecked === true ? passes : checks)(ctx).then((outcome) => {
      if (outcome.reply === null) ctx.csrfChecked = true;
      return outcome;
    }),
  );
  Object.defineProperty(csrfOnce, 'name', { value: 'sessCsrf' });

  return Object.freeze({
    ...binding,
    csrf: csrfOnce,
    authenticate: csrfOnce,
    guest: Object.freeze({
      get: (request: Request, extras?: RequestExtras) =>
        binding.guest.get(contextOf(contexts, request, extras)),
      set: (request: Request, change: GuestChange, extras?: RequestExtras) =>
        binding.guest.set(contextOf(contexts, request, extras), change),
    }),
    apply: (response: Response, ...results: readonly Pick<SessResult, 'headers'>[]) =>
      applyHeaders(response, results),
  });
}
