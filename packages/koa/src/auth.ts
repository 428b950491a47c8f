import type { SessionManager, Validated } from '@sess/core';
import {
  type BindingOptions,
  createBinding,
  type HttpAuth,
  matchRoute,
  nodeRequest,
  type Runner,
  type SessAuth,
} from '@sess/core/http';
import type { Context, Middleware, Next } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The authenticated session (set by `auth.session`), or null. */
    session?: Validated | null;
  }
}

/** Options of {@link createAuth}. */
export type AuthOptions = BindingOptions;

/**
 * The session and CSRF middleware, guards, rate limiter and auth handlers for Koa, and
 * `routes(options)`, one middleware that answers every auth route.
 */
export type Auth = SessAuth<Middleware, Context, Middleware>;

type Params = { params?: Record<string, string> };

// A stream no body parser consumed is read here and left on `ctx.request.body`, as a parser would.
async function unread(ctx: Context, http: HttpAuth): Promise<unknown> {
  const request = ctx.request as { body?: unknown };
  if (!ctx.req.readableEnded) request.body = await http.readBody(ctx.req, ctx.get('content-type'));
  return request.body;
}

/**
 * Creates the Koa (2 and 3) binding for a session manager. Options are validated here, once.
 * Handlers read `ctx.request.body` when a body parser ran, else the raw body (JSON or form, within
 * `bodyLimit`); `revokeSession` reads `ctx.params` as set by @koa/router (or by `routes`).
 *
 * @example
 * ```ts
 * const auth = createAuth(sess);
 * app.use(auth.session).use(auth.csrf);
 * app.use(auth.routes({
 *   login: async (ctx, body) => {
 *     const user = await users.verify(body.email, body.password);
 *     return user && { userId: user.id, body: { user } };
 *   },
 * }));
 * router.get('/me', auth.requireSession, (ctx) => {
 *   ctx.body = { userId: ctx.state.session!.userId };
 * });
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  return createBinding<Middleware, Context, Middleware>(
    manager,
    options,
    {
      request: (ctx) => nodeRequest(ctx.method, ctx.headers, () => ctx.ip, ctx.req.rawHeaders),
      attach: (ctx, auth) => {
        ctx.state.session = auth;
      },
      body: unread,
      param: (ctx, name) => (ctx as Params).params?.[name],
      path: (ctx) => ctx.originalUrl,
      headers: (ctx, headers) => {
        for (const [header, value] of headers) ctx.append(header, value);
      },
    },
    // Errors thrown downstream, after `next`, stay the app's.
    (run: Runner<Context>) =>
      (ctx: Context, next: Next): Promise<void> =>
        run(ctx).then(({ reply, headers }) => {
          for (const [header, value] of headers) ctx.append(header, value);
          if (reply === null) return next();
          ctx.status = reply.status;
          ctx.body = reply.body;
        }),
    // Koa has no router of its own, and @koa/router is not ours to require: core's dispatcher
    // finds the route (as @koa/router would), then its handlers run in turn.
    (routes) =>
      function sessRoutes(ctx: Context, next: Next): Promise<void> {
        const found = matchRoute(routes, ctx.method, ctx.path);
        if (found === null) return next();
        (ctx as Params).params = { ...(ctx as Params).params, ...found.params };
        const { handlers } = found.route;
        const run = (i: number): Promise<void> =>
          i === handlers.length ? next() : Promise.resolve(handlers[i]!(ctx, () => run(i + 1)));
        return run(0);
      },
  );
}
