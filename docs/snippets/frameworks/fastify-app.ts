import { createSessionManager } from '@sess/core';
import { createAuth } from '@sess/fastify';
import { sqliteStore } from '@sess/store-sqlite';
import fastify from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from './users.ts';

const sess = createSessionManager({
  store: sqliteStore({ database: 'sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
const auth = createAuth(sess);
const app = fastify();
await app.register(auth.plugin);
await app.register(
  auth.routes({
    login: async (_request, body) => {
      const user = await verifyPassword(body.email, body.password);
      return user && { userId: user.id, body: { user } };
    },
    limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
  }),
);
app.get('/me', { preHandler: auth.requireSession }, async (request) => ({
  userId: request.sess!.userId,
}));
app.post('/account/email', { preHandler: auth.requireFresh('5m') }, async () => ({ ok: true }));
await app.listen({ port: 3000 });
