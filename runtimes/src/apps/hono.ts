import type { Strategy } from '@sess/core';
import { createAuth } from '@sess/hono';
import { Hono } from 'hono';
import { cryptoProbe, runtimeManager, verifyLogin } from '../app-kit.ts';

/** The Hono app the runtimes job serves: the auth routes, `GET /me` and the crypto probe. */
export function createApp(strategy: Strategy): { fetch(request: Request): Promise<Response> } {
  const manager = runtimeManager(strategy);
  const auth = createAuth(manager.sess);
  const app = new Hono();
  app.get('/debug/crypto', async (c) =>
    c.json(await cryptoProbe(manager, c.req.query('token') ?? '')),
  );
  app.use(auth.session, auth.csrf);
  app.route('/', auth.routes({ login: (_c, body) => verifyLogin(body) }));
  app.get('/me', auth.requireSession, (c) => c.json({ userId: c.get('session')!.userId }));
  return { fetch: async (request) => app.fetch(request) };
}
