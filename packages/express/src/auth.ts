import {
  type BindingOptions,
  createBinding,
  type HttpAuth,
  nodeRequest,
  type Outcome,
  parsedBody,
  type Runner,
  type SessAuth,
  type SessionManager,
  type Validated,
} from '@sess/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

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

/** The session and CSRF middleware, guards, rate limiter and auth handlers for Express. */
export type Auth = SessAuth<RequestHandler, Request>;

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
 * app.get('/auth/csrf', auth.csrfToken);
 * app.post('/auth/login', auth.login(async (req, body) => {
 *   const user = await users.verify(body.email, body.password);
 *   return user && { userId: user.id, body: { user } };
 * }));
 * app.get('/me', auth.requireSession, (req, res) => res.json({ userId: req.sess!.userId }));
 * ```
 */
export function createAuth(manager: SessionManager, options: AuthOptions = {}): Auth {
  return createBinding<RequestHandler, Request>(
    manager,
    options,
    {
      request: (req) => nodeRequest(req.method, req.headers, () => req.ip, req.rawHeaders),
      attach: (req, auth) => {
        req.sess = auth;
      },
      body: async (req, http) => parsedBody(await unread(req, http)) ?? {},
      formBody: unread,
      param: (req, name) => {
        const value: unknown = req.params[name];
        return typeof value === 'string' ? value : undefined;
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
  );
}
