import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createAuth } from '@sess/koa';
import Koa, { type Context } from 'koa';
import { ASSETS, type Reply } from '../app.ts';
import { type AppFactory, BODY_LIMIT, clientErrorStatus } from './deps.ts';

const send = (ctx: Context, reply: Reply) => {
  ctx.status = reply.status;
  ctx.body = reply.body;
};

/** The demo on Koa 3. */
export const koaApp: AppFactory = ({ sess, routes, loginLimiter, headers }) => {
  const auth = createAuth(sess);
  const router = new Router();
  for (const [path, asset] of Object.entries(ASSETS)) {
    router.get(path, (ctx) => {
      ctx.type = asset.type;
      ctx.body = asset.body;
    });
  }
  router.get('/me', auth.requireSession, (ctx) => send(ctx, routes.me(ctx.state.session!)));
  router.post(
    '/account/profile',
    auth.requireSession,
    bodyParser({ enableTypes: ['json'], jsonLimit: BODY_LIMIT }),
    (ctx) => send(ctx, routes.profile(ctx.state.session!, ctx.request.body)),
  );
  const app = new Koa();
  app.silent = true;
  app
    .use(async (ctx, next) => {
      ctx.set(headers);
      try {
        await next();
      } catch (error) {
        const status = clientErrorStatus(error);
        if (status === null) console.error('demo: unhandled error', error);
        return send(ctx, status === null ? routes.internal : routes.clientError(status));
      }
      if (ctx.status === 404 && ctx.body == null) send(ctx, routes.notFound);
    })
    .use(auth.session)
    .use(auth.csrf)
    .use(
      auth.routes({ login: (_ctx, body) => routes.verify(body), limit: { login: loginLimiter } }),
    )
    .use(router.routes());
  return app.callback();
};
