import type { SessionManager, Validated } from '@sess/core';
import {
  type BindingOptions,
  createBinding,
  type HttpAuth,
  nodeRequest,
  type Outcome,
  type Runner,
  type SessAuth,
} from '@sess/core/http';
import {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from 'express';

declare global {
  namespace Express {
    interface Request {
      /** The authenticated session (set by `auth.session`), or null. */
      sess?: Validated | null;
    }
  }
}

/** Options of {@link createAuth}. */
export type AuthOptions = BindingOptions;

/**
 * The session and CSRF middleware, guards, rate limiter and auth handlers for Express, and
 * `routes(options)`, a Router of every auth route.
 */
export type Auth = SessAuth<RequestHandler, Request, Router>;

// A stream no parser consumed is read here and left on `req.body`, as a parser would. Express 4's
// parsers set `req.body = {}` even when they skip a request, so the stream, not the field, tells.
async function unread(req: Request, http: HttpAuth): Promise<unknown> {
  if (!req.readableEnded) req.body = await http.readBody(req, req.headers['content-type']);
  return req.body;
}

/**
 * Creates the Express (4 and 5) binding for a session manager. Options are validated here, once.
 * Handlers read `req.body` when a parser ran, else the raw body (JSON or form, within `bodyLimit`).
 *
 * @example
 * ```ts
 * const auth = createAuth(sess);
 * app.use(express.json(), auth.session, auth.csrf);
 * app.use(auth.routes({
 *   login: async (req, body) => {
 *     const user = await users.verify(body.email, body.password);
 *     return user && { userId: user.id, body: { user } };
 *   },
 *   limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
 * }));
 * app.get('/me', auth.requireSession, (req, res) => res.json({ userId: req.sess!.userId }));
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  return createBinding<RequestHandler, Request, Router>(
    manager,
    options,
    {
      request: (req) => nodeRequest(req.method, req.headers, () => req.ip, req.rawHeaders),
      attach: (req, auth) => {
        req.sess = auth;
      },
      body: unread,
      param: (req, name) => {
        const value: unknown = req.params[name];
        return typeof value === 'string' ? value : undefined;
      },
      path: (req) => req.originalUrl,
      headers: (req, headers) => {
        for (const [header, value] of headers) req.res?.append(header, value);
      },
    },
    (run: Runner<Request>) =>
      (req: Request, res: Response, next: NextFunction): void => {
        run(req).then(({ reply, headers }: Outcome) => {
          for (const [header, value] of headers) {
            res.append(header, value);
          }
          if (reply === null) next();
          else res.status(reply.status).json(reply.body);
        }, next);
      },
    // Absolute paths (the refresh route's is the refresh cookie's): mount the Router at the root.
    (routes) => {
      const router = Router();
      for (const { method, path, handlers } of routes) {
        router[method.toLowerCase() as 'get' | 'post' | 'delete'](path, ...handlers);
      }
      return router;
    },
  );
}
