import { createAuth } from '@sess/express';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { ASSETS, type Reply } from '../app.ts';
import { type AppFactory, BODY_LIMIT, clientErrorStatus } from './deps.ts';

const send = (res: Response, reply: Reply) => res.status(reply.status).json(reply.body);

/** The demo on Express 5. */
export const expressApp: AppFactory = ({ sess, routes, loginLimiter, headers }) => {
  const auth = createAuth(sess);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
  app.get(Object.keys(ASSETS), (req, res) => {
    const asset = ASSETS[req.path]!;
    res.type(asset.type).send(asset.body);
  });
  app.use(auth.session, auth.csrf);
  app.use(
    auth.routes({ login: (_req, body) => routes.verify(body), limit: { login: loginLimiter } }),
  );
  app.get('/me', auth.requireSession, (req, res) => send(res, routes.me(req.sess!)));
  app.post(
    '/account/profile',
    auth.requireSession,
    express.json({ limit: BODY_LIMIT }),
    (req, res) => send(res, routes.profile(req.sess!, req.body)),
  );
  app.use((_req, res) => send(res, routes.notFound));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = clientErrorStatus(error);
    if (status === null) console.error('demo: unhandled error', error);
    send(res, status === null ? routes.internal : routes.clientError(status));
  };
  app.use(onError);
  return app;
};
