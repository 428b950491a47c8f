import { getRequestListener } from '@hono/node-server';
import { createAuth } from '@sess/web';
import { ASSETS, type Reply } from '../app.ts';
import type { AppFactory } from './deps.ts';

const json = (reply: Reply) => Response.json(reply.body, { status: reply.status });

// The demo's own body limit, as sess's own (16 KiB).
const LIMIT = 16 * 1024;

/** `POST /account/profile`'s body: JSON within the limit, else the 413 or 400 to answer. */
async function profileBody(request: Request): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) return undefined;
  const text = await request.text();
  if (new TextEncoder().encode(text).byteLength > LIMIT) return 413;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return 400;
  }
}

/** The demo on @sess/web alone: one Fetch handler, behind a plain Node server. */
export const webApp: AppFactory = ({ sess, routes, loginLimiter, headers }) => {
  const auth = createAuth(sess);
  const authRoutes = auth.routes({
    login: (_ctx, body) => routes.verify(body),
    limit: { login: loginLimiter },
  });

  async function demo(request: Request, ip: string | null): Promise<Response> {
    const { pathname } = new URL(request.url);
    const asset = request.method === 'GET' ? ASSETS[pathname] : undefined;
    if (asset) return new Response(asset.body, { headers: { 'content-type': asset.type } });
    const result = await auth.authenticate(request, { ip });
    if (result.response) return result.response;
    const routed = await authRoutes(request);
    if (routed) return auth.apply(routed, result);
    const route = `${request.method} ${pathname}`;
    if (route !== 'GET /me' && route !== 'POST /account/profile') {
      return auth.apply(json(routes.notFound), result);
    }
    const guard = await auth.requireSession(request);
    if (guard.response !== null) return auth.apply(guard.response, result);
    if (route === 'GET /me') return auth.apply(json(routes.me(guard.session!)), result, guard);
    const body = await profileBody(request);
    const reply =
      body === 400 || body === 413
        ? routes.clientError(body)
        : routes.profile(guard.session!, (body as { value: unknown } | undefined)?.value);
    return auth.apply(json(reply), result, guard);
  }

  return getRequestListener(
    async (request, env) => {
      const ip = 'incoming' in env ? (env.incoming.socket.remoteAddress ?? null) : null;
      let response: Response;
      try {
        response = await demo(request, ip);
      } catch (error) {
        console.error('demo: unhandled error', error);
        response = json(routes.internal);
      }
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
      return response;
    },
    { overrideGlobalObjects: false },
  );
};
