// lib/auth.ts: one manager and one binding for the whole app, created once per process.
import { createSessionManager } from '@sess/core';
import { redisStore } from '@sess/store-redis';
import { createAuth } from '@sess/web';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from '../users.ts';

export const sess = createSessionManager({
  store: redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});

// Behind a proxy you trust, the client IP is its header; see "The client IP" below.
export const auth = createAuth(sess, {
  clientIp: (request) => request.headers.get('x-real-ip'),
});

/** Every auth route: a `Response`, or null when the request is not for one. */
export const authRoutes = auth.routes({
  login: async (_ctx, body) => {
    const user = await verifyPassword(body.email, body.password);
    return user && { userId: user.id, body: { user } };
  },
  limit: { login: new RateLimiterMemory({ points: 5, duration: 60 }) },
});
