import type { SessionManager } from '@sess/core';
import { createAuth, type SessHook } from '@sess/fastify';
import type fastify from 'fastify';
import type { FastifyRequest } from 'fastify';
import {
  type AppOptions,
  addToCart,
  BY_HAND,
  byHand,
  cartBody,
  guestError,
  type RunningApp,
  routesOptions,
} from './shared.ts';

/** The test app on Fastify (`framework`: Fastify 5, or Fastify 4 under its alias). */
export async function fastifyApp(
  framework: typeof fastify,
  manager: SessionManager,
  options: AppOptions,
): Promise<RunningApp> {
  const auth = createAuth(manager);
  const app = framework({ forceCloseConnections: true });
  await app.register(auth.plugin);
  if (options.mount === 'handlers') {
    for (const [method, url, name] of BY_HAND) {
      const handlers = byHand<SessHook, FastifyRequest>(auth, name, options);
      const handler = handlers.pop()!;
      app.route({ method: method.toUpperCase() as 'GET', url, preHandler: handlers, handler });
    }
  } else await app.register(auth.routes(routesOptions(options)));
  app.get('/me', { preHandler: auth.requireSession }, async (request) => ({
    userId: request.sess!.userId,
    sessionId: request.sess!.sessionId,
  }));
  app.post('/account/profile', { preHandler: auth.requireSession }, async () => ({
    updated: true,
  }));
  app.post('/account/sensitive', { preHandler: auth.requireFresh('5m') }, async () => ({
    done: true,
  }));
  app.get('/cart', async (request) => cartBody(await auth.guest.get(request)));
  app.post('/cart', async (request, reply) => {
    try {
      return cartBody((await auth.guest.set(request, addToCart(request.body))).guest);
    } catch (error) {
      const { status, body } = guestError(error);
      return reply.code(status).send(body);
    }
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}
