import Router from '@koa/router';
import { createSessionManager } from '@sess/core';
import { createAuth } from '@sess/koa';
import { sqliteStore } from '@sess/store-sqlite';
import Koa from 'koa';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from './users.ts';

const sess = createSessionManager({
  store: sqliteStore({ database: 'sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
const auth = createAuth(sess);
const routes = auth.routes({
  login: async (_ctx, body) => {
    const user = await verifyPassword(body.email, body.password);
    return user && { userId: user.id, body: { user } };
  },
  limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
});
const router = new Router();
router.get('/me', auth.requireSession, (ctx) => {
  ctx.body = { userId: ctx.state.session!.userId };
});
new Koa().use(auth.session).use(auth.csrf).use(routes).use(router.routes()).listen(3000);
