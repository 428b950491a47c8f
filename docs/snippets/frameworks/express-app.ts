import { createSessionManager } from '@sess/core';
import { createAuth } from '@sess/express';
import { sqliteStore } from '@sess/store-sqlite';
import express from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from './users.ts';

const sess = createSessionManager({
  store: sqliteStore({ database: 'sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
const auth = createAuth(sess);
const app = express();
app.use(express.json(), auth.session, auth.csrf);
app.use(
  auth.routes({
    login: async (_req, body) => {
      const user = await verifyPassword(body.email, body.password);
      return user && { userId: user.id, body: { user } };
    },
    limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
  }),
);
app.get('/me', auth.requireSession, (req, res) => res.json({ userId: req.sess!.userId }));
app.post('/account/email', auth.requireFresh('5m'), (_req, res) => res.json({ ok: true }));
app.listen(3000);
