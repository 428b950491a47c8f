import type { SessionManager } from '@sess/core';
import { matchRoute } from '@sess/core/http';
import {
  type Auth,
  createAuth,
  type RequestExtras,
  type RoutesHandler,
  type SessHandler,
  type SessResult,
  type WebContext,
} from '@sess/web';
// A cycle with apps.ts (which starts this app), harmless: both use each other only when called.
import {
  type AppOptions,
  addToCart,
  BY_HAND,
  byHand,
  cartBody,
  guestError,
  listen,
  type RunningApp,
  routesOptions,
} from './shared.ts';

/** A Fetch handler: what `Bun.serve`, `Deno.serve` and a Workers `fetch` call. */
export type FetchApp = (request: Request, extras?: RequestExtras) => Promise<Response>;

/** The auth routes with each handler mounted by hand, as an app without `auth.routes` would. */
function routedByHand(auth: Auth, options: AppOptions): RoutesHandler {
  const table = BY_HAND.map(([method, path, name]) => ({
    method: method.toUpperCase() as Uppercase<typeof method>,
    path,
    handlers: byHand<SessHandler, WebContext>(auth, name, options),
  }));
  return async (request) => {
    const found = matchRoute(table, request.method, new URL(request.url).pathname);
    if (found === null) return null;
    const before: SessResult[] = [];
    for (const handler of found.route.handlers) {
      const result = await handler(request, { params: found.params });
      if (result.response) return auth.apply(result.response, ...before);
      before.push(result);
    }
    return null;
  };
}

/**
 * The suite's app (the same routes as every other binding's) on `@sess/web` alone: authenticate
 * and check CSRF, answer the auth routes, then the app's own routes, with sess's headers applied
 * to every response.
 */
export function webApp(manager: SessionManager, options: AppOptions): FetchApp {
  const auth = createAuth(manager);
  const routes =
    options.mount === 'handlers'
      ? routedByHand(auth, options)
      : auth.routes(routesOptions<WebContext>(options));
  const guards = {
    'GET /me': auth.requireSession,
    'POST /account/profile': auth.requireSession,
    'POST /account/sensitive': auth.requireFresh('5m'),
  } as const;
  const bodies = {
    'GET /me': (session: { userId: string; sessionId: string }) => ({
      userId: session.userId,
      sessionId: session.sessionId,
    }),
    'POST /account/profile': () => ({ updated: true }),
    'POST /account/sensitive': () => ({ done: true }),
  } as const;
  return async function suiteApp(request, extras) {
    const result = await auth.authenticate(request, extras);
    if (result.response) return result.response;
    const routed = await routes(request);
    if (routed) return auth.apply(routed, result);
    const path = new URL(request.url).pathname;
    if (path === '/cart' && request.method === 'GET') {
      return auth.apply(Response.json(cartBody(await auth.guest.get(request))), result);
    }
    if (path === '/cart' && request.method === 'POST') {
      try {
        const body: unknown = await request.json().catch(() => null);
        const write = await auth.guest.set(request, addToCart(body));
        return auth.apply(Response.json(cartBody(write.guest)), result, write);
      } catch (error) {
        const reply = guestError(error);
        return auth.apply(Response.json(reply.body, { status: reply.status }), result);
      }
    }
    const key = `${request.method} ${path}` as keyof typeof guards;
    if (!Object.hasOwn(guards, key)) {
      return auth.apply(new Response('Not Found', { status: 404 }), result);
    }
    const guard = await guards[key](request);
    if (guard.response !== null) return auth.apply(guard.response, result);
    return auth.apply(Response.json(bodies[key](guard.session!)), result, guard);
  };
}

/**
 * {@link webApp} behind a plain Node `http` server, through `@hono/node-server`'s Request and
 * Response bridge; the socket's address is passed as the client IP, as Express and Koa see it.
 */
export async function webServer(manager: SessionManager, options: AppOptions): Promise<RunningApp> {
  const { getRequestListener } = await import('@hono/node-server');
  const app = webApp(manager, options);
  return listen(
    getRequestListener(
      (request, env) =>
        app(request, {
          ip: 'incoming' in env ? (env.incoming.socket.remoteAddress ?? null) : null,
        }),
      { overrideGlobalObjects: false },
    ),
  );
}
