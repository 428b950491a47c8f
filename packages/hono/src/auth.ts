import type { RequestLike, SessionManager, Validated } from '@sess/core';
import {
  type BindingOptions,
  createBinding,
  type NodeHeaders,
  type NodeRawHeaders,
  nodeRequest,
  type Runner,
  type SessAuth,
} from '@sess/core/http';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

declare module 'hono' {
  interface ContextVariableMap {
    /** The authenticated session (set by `auth.session`), or null. */
    session: Validated | null;
  }
}

/** Options of {@link createAuth}. */
export interface AuthOptions extends BindingOptions {
  /**
   * The client IP (device lists, binding checks, the default rate-limit key). Hono has no portable
   * way to read it: pass your runtime's `getConnInfo(c).remote.address`, or a trusted proxy header.
   * @default the socket address under `@hono/node-server`, else null
   */
  clientIp?: (c: Context) => string | null;
}

/**
 * The session and CSRF middleware, guards, rate limiter and auth handlers for Hono, and
 * `routes(options)`, an app of every auth route for `app.route('/', …)`.
 */
export type Auth = SessAuth<MiddlewareHandler, Context, Hono>;

/** Node's request, when `@hono/node-server` serves the app (it passes it as `c.env.incoming`). */
interface NodeIncoming {
  readonly method?: string;
  readonly headers?: NodeHeaders;
  readonly rawHeaders?: NodeRawHeaders;
  readonly socket?: { readonly remoteAddress?: string };
}

function incomingOf(c: Context): NodeIncoming | undefined {
  return (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
}

function nodeServerIp(c: Context): string | null {
  return incomingOf(c)?.socket?.remoteAddress ?? null;
}

// Under @hono/node-server, `c.req.raw.headers` builds a Web `Headers` from Node's on first use
// (and `c.req` a request wrapper), which costs more than sess's whole check of a cached token:
// read Node's own request instead.
function requestView(c: Context, clientIp: (c: Context) => string | null): RequestLike {
  const incoming = incomingOf(c);
  return incoming?.headers
    ? nodeRequest(
        incoming.method ?? 'GET',
        incoming.headers,
        () => clientIp(c) ?? undefined,
        incoming.rawHeaders,
      )
    : { method: c.req.method, headers: c.req.raw.headers, ip: clientIp(c) };
}

/**
 * Creates the Hono (4) binding for a session manager. Options are validated here, once. Runs
 * wherever Hono runs: core needs only Web Crypto. Handlers read the body from a clone of the
 * request, so the app can still read it.
 *
 * @example
 * ```ts
 * const auth = createAuth(sess);
 * app.use(auth.session, auth.csrf);
 * app.route('/', auth.routes({
 *   login: async (c, body) => {
 *     const user = await users.verify(body.email, body.password);
 *     return user && { userId: user.id, body: { user } };
 *   },
 * }));
 * app.get('/me', auth.requireSession, (c) => c.json({ userId: c.get('session')!.userId }));
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  const { clientIp = nodeServerIp, ...bindingOptions } = options;
  return createBinding<MiddlewareHandler, Context, Hono>(
    manager,
    bindingOptions,
    {
      request: (c) => requestView(c, clientIp),
      attach: (c, auth) => c.set('session', auth),
      body: (c, http) => http.readBody(c.req.raw.clone().body, c.req.header('content-type')),
      param: (c, name) => c.req.param(name),
      path: (c) => c.req.path,
      headers: (c, headers) => {
        for (const [header, value] of headers) c.header(header, value, { append: true });
      },
    },
    (run: Runner<Context>): MiddlewareHandler =>
      (c, next) =>
        // biome-ignore lint/suspicious/noConfusingVoidType: Hono's `next()` resolves to void
        run(c).then<Response | void>(({ reply, headers }) => {
          for (const [header, value] of headers) {
            c.header(header, value, { append: true });
          }
          if (reply === null) return next();
          return c.json(reply.body, reply.status as ContentfulStatusCode);
        }),
    // Absolute paths (the refresh route's is the refresh cookie's): mount with `app.route('/', …)`.
    (routes) => {
      const app = new Hono();
      for (const { method, path, handlers } of routes) app.on(method, [path], ...handlers);
      return app;
    },
  );
}
