import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createSessionManager } from '@sess/core';
import { createAuth } from '@sess/hono';
import { sqliteStore } from '@sess/store-sqlite';
import { Hono } from 'hono';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from './users.ts';

const sess = createSessionManager({
  store: sqliteStore({ database: 'sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
const auth = createAuth(sess, { clientIp: (c) => getConnInfo(c).remote.address ?? null });
const app = new Hono();
app.use(auth.session, auth.csrf);
app.route(
  '/',
  auth.routes({
    login: async (_c, body) => {
      const user = await verifyPassword(body.email, body.password);
      return user && { userId: user.id, body: { user } };
    },
    limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
  }),
);
app.get('/me', auth.requireSession, (c) => c.json({ userId: c.get('session')!.userId }));
serve({ fetch: app.fetch, port: 3000 });
