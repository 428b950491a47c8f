import type { RoutesOptions, SessionManager } from '@sess/core';
import { createAuth, type RequestExtras, type WebContext } from '@sess/web';
import type { RunningApp } from '../apps.ts';

/** A Fetch handler: what `Bun.serve`, `Deno.serve` and a Workers `fetch` call. */
export type FetchApp = (request: Request, extras?: RequestExtras) => Promise<Response>;

/**
 * The suite's app (the same routes as every other binding's) on `@sess/web` alone: authenticate
 * and check CSRF, answer the auth routes, then the app's own routes, with sess's headers applied
 * to every response.
 */
export function webApp(
  manager: SessionManager,
  routesOptions: RoutesOptions<WebContext>,
): FetchApp {
  const auth = createAuth(manager);
  const routes = auth.routes(routesOptions);
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
    const key = `${request.method} ${new URL(request.url).pathname}` as keyof typeof guards;
    if (!Object.hasOwn(guards, key))
      return auth.apply(new Response('Not Found', { status: 404 }), result);
    const guard = await guards[key](request);
    if (guard.response !== null) return auth.apply(guard.response, result);
    return auth.apply(Response.json(bodies[key](guard.session!)), result, guard);
  };
}

/**
 * {@link webApp} behind a plain Node `http` server, through `@hono/node-server`'s Request and
 * Response bridge; the socket's address is passed as the client IP, as Express and Koa see it.
 */
export async function webServer(
  manager: SessionManager,
  routesOptions: RoutesOptions<WebContext>,
  mount: 'routes' | 'handlers' = 'routes',
): Promise<RunningApp> {
  if (mount !== 'routes') throw new Error('web: only the one-line mount (auth.routes) is served');
  const { getRequestListener } = await import('@hono/node-server');
  // Imported here: apps.ts imports this module, and a Bun or Deno entry needs only `webApp`.
  const { listen } = await import('../apps.ts');
  const app = webApp(manager, routesOptions);
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
