import { getRequestListener } from '@hono/node-server';
import { createAuth } from '@sess/hono';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ASSETS, type Reply } from '../app.ts';
import type { AppFactory } from './deps.ts';

const MALFORMED = Symbol('malformed');

const send = (c: Context, reply: Reply) => c.json(reply.body, reply.status as ContentfulStatusCode);

/** The demo on Hono 4 (served by @hono/node-server). */
export const honoApp: AppFactory = ({ sess, routes, loginLimiter, headers }) => {
  const auth = createAuth(sess);
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  });
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, (c) => c.body(asset.body, 200, { 'Content-Type': asset.type }));
  }
  app.use(auth.session, auth.csrf);
  app.route(
    '/',
    auth.routes({ login: (_c, body) => routes.verify(body), limit: { login: loginLimiter } }),
  );
  app.get('/me', auth.requireSession, (c) => send(c, routes.me(c.get('session')!)));
  app.post(
    '/account/profile',
    auth.requireSession,
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => send(c, routes.clientError(413)) }),
    async (c) => {
      const isJson = /^application\/json\b/i.test(c.req.header('content-type') ?? '');
      const body: unknown = isJson ? await c.req.json().catch(() => MALFORMED) : undefined;
      if (body === MALFORMED) return send(c, routes.clientError(400));
      return send(c, routes.profile(c.get('session')!, body));
    },
  );
  app.notFound((c) => send(c, routes.notFound));
  app.onError((error, c) => {
    console.error('demo: unhandled error', error);
    return send(c, routes.internal);
  });
  return getRequestListener(app.fetch);
};
