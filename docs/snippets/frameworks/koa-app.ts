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
const router = new Router();
router.get('/auth/csrf', auth.csrfToken);
router.post(
  '/auth/login',
  auth.rateLimit(new RateLimiterMemory({ points: 5, duration: 60 })),
  auth.login(async (_ctx, body) => {
    const user = await verifyPassword(body.email, body.password);
    return user && { userId: user.id, body: { user } };
  }),
);
router.post('/auth/refresh', auth.refresh);
router.post('/auth/logout', auth.logout);
router.post('/auth/logout-all', auth.logoutAll);
router.get('/auth/sessions', auth.listSessions);
router.delete('/auth/sessions/:id', auth.revokeSession);
router.get('/me', auth.requireSession, (ctx) => {
  ctx.body = { userId: ctx.state.session!.userId };
});
new Koa().use(auth.session).use(auth.csrf).use(router.routes()).listen(3000);
