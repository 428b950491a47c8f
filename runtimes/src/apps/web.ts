import type { Strategy } from '@sess/core';
import { createAuth } from '@sess/web';
import { cryptoProbe, runtimeManager, verifyLogin } from '../app-kit.ts';

/** The `@sess/web` app the runtimes job serves: the auth routes, `GET /me` and the crypto probe. */
export function createApp(strategy: Strategy): { fetch(request: Request): Promise<Response> } {
  const manager = runtimeManager(strategy);
  const auth = createAuth(manager.sess);
  const routes = auth.routes({ login: (_ctx, body) => verifyLogin(body) });
  return {
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === 'GET' && url.pathname === '/debug/crypto') {
        return Response.json(await cryptoProbe(manager, url.searchParams.get('token') ?? ''));
      }
      const result = await auth.authenticate(request);
      if (result.response) return result.response;
      const routed = await routes(request);
      if (routed) return auth.apply(routed, result);
      if (request.method !== 'GET' || url.pathname !== '/me') {
        return auth.apply(new Response('Not Found', { status: 404 }), result);
      }
      const guard = await auth.requireSession(request);
      if (guard.response !== null) return auth.apply(guard.response, result);
      return auth.apply(Response.json({ userId: guard.session!.userId }), result, guard);
    },
  };
}
