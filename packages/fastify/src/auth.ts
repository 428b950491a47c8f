import { ConfigError, type SessionManager, type Validated } from '@sess/core';
import {
  type BindingOptions,
  type BodySource,
  createBinding,
  type HttpAuth,
  type HttpHeader,
  nodeRequest,
  type Runner,
  type SessAuth,
} from '@sess/core/http';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
} from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The authenticated session (set by `auth.session`), or null. Not `session`: that name is
     * @fastify/session's and @fastify/secure-session's, and an app may use one beside sess.
     */
    sess: Validated | null;
  }
}

/** Options of {@link createAuth}. */
export type AuthOptions = BindingOptions;

/** A sess hook: an `onRequest` or `preHandler` hook, or a route handler. */
export type SessHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * The session and CSRF hooks, guards, rate limiter and auth handlers for Fastify; `plugin`, which
 * installs the hooks app-wide; and `routes(options)`, a plugin of every auth route.
 */
export type Auth = SessAuth<SessHook, FastifyRequest, FastifyPluginAsync> & {
  /**
   * Decorates `request.sess`, adds `session` as an `onRequest` hook and `csrf` as a `preHandler`
   * hook, and lets urlencoded bodies through (read by sess when it needs them, unless a form parser
   * such as @fastify/formbody was registered first). Not encapsulated: register it at the root.
   */
  readonly plugin: FastifyPluginAsync;
};

const FORM = 'application/x-www-form-urlencoded';

/**
 * Creates the Fastify (4 and 5) binding for a session manager. Options are validated here, once.
 * Handlers read `request.body` when a parser ran, else the raw body (JSON or form, within
 * `bodyLimit`); the auth routes always read it themselves, so their limits and errors are sess's.
 *
 * @example
 * ```ts
 * const auth = createAuth(sess);
 * await app.register(auth.plugin);
 * await app.register(auth.routes({
 *   login: async (request, body) => {
 *     const user = await users.verify(body.email, body.password);
 *     return user && { userId: user.id, body: { user } };
 *   },
 *   limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
 * }));
 * app.get('/me', { preHandler: auth.requireSession }, async (request) => ({
 *   userId: request.sess!.userId,
 * }));
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  // Bodies a parser of ours left unread (sess reads them when it needs them, as other bindings do).
  const deferred = new WeakMap<FastifyRequest, BodySource>();
  const defer = (request: FastifyRequest, payload: BodySource, done: (e: null) => void) => {
    deferred.set(request, payload);
    done(null);
  };
  // A deferred body is read here and left on `request.body`, as a parser would.
  const unread = async (request: FastifyRequest, http: HttpAuth): Promise<unknown> => {
    const source = deferred.get(request);
    if (source !== undefined) {
      deferred.delete(request);
      request.body = await http.readBody(source, request.headers['content-type']);
    }
    return request.body;
  };

  const replies = new WeakMap<FastifyRequest, FastifyReply>();
  const auth = createBinding<SessHook, FastifyRequest, FastifyPluginAsync>(
    manager,
    options,
    {
      request: (req) => nodeRequest(req.method, req.headers, () => req.ip, req.raw.rawHeaders),
      attach: (req, session) => {
        req.sess = session;
      },
      body: unread,
      param: (req, name) => (req.params as Record<string, string> | undefined)?.[name],
      path: (req) => req.url,
      // The reply the plugin's hooks saw: a guest write from a handler sets its cookie there.
      headers: (req, headers) => {
        const reply = replies.get(req);
        if (reply !== undefined) addHeaders(reply, headers);
      },
    },
    (run: Runner<FastifyRequest>): SessHook =>
      (request, reply) => {
        replies.set(request, reply);
        return run(request).then(({ reply: answer, headers }) => {
          addHeaders(reply, headers);
          return answer === null ? undefined : reply.code(answer.status).send(answer.body);
        });
      },
    // The paths are absolute (the refresh route's is the refresh cookie's): a registration prefix
    // may only be their folder, or a part of it.
    (routes) =>
      async function sessRoutes(app: FastifyInstance): Promise<void> {
        const { prefix } = app;
        if (routes.some(({ path }) => !path.startsWith(`${prefix}/`))) {
          throw new ConfigError([
            `routes: registered under the prefix '${prefix}', where the auth routes are not; ` +
              'register auth.routes() without a prefix (set cookies.refreshPath to move the routes)',
          ]);
        }
        // Encapsulated: in here every body is sess's to read, within `bodyLimit`.
        app.removeAllContentTypeParsers();
        app.addContentTypeParser('*', defer);
        for (const { method, path, handlers } of routes) {
          const handler = handlers.at(-1) as RouteHandlerMethod;
          const url = path.slice(prefix.length);
          app.route({ method, url, preHandler: handlers.slice(0, -1), handler });
        }
      },
  );

  const plugin = fastifyPlugin(
    async function sess(app: FastifyInstance): Promise<void> {
      app.decorateRequest('sess', null);
      if (!app.hasContentTypeParser(FORM)) app.addContentTypeParser(FORM, defer);
      // Any other type no parser takes is left unread too, so the CSRF check answers it (403)
      // rather than Fastify's 415 before the check ran.
      if (!app.hasContentTypeParser('*')) app.addContentTypeParser('*', defer);
      app.addHook('onRequest', auth.session);
      app.addHook('preHandler', auth.csrf);
    },
    { name: '@sess/fastify', fastify: '4.x || 5.x' },
  );
  return Object.freeze({ ...auth, plugin });
}

function addHeaders(reply: FastifyReply, headers: readonly HttpHeader[]): void {
  for (const [name, value] of headers) {
    const prior = reply.getHeader(name);
    const append = prior === undefined || name === 'set-cookie';
    reply.header(name, append ? value : [prior, value].flat().map(String));
  }
}
