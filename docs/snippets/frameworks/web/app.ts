// app.ts: a whole app as one Fetch handler, for Bun.serve and Deno.serve.
import { auth, authRoutes } from './auth.ts';

export async function app(request: Request, ip: string | null): Promise<Response> {
  // The session, and the CSRF checks on unsafe methods; `response` is a 403, or a 503 when the
  // store is down: return it as is.
  const result = await auth.authenticate(request, { ip });
  if (result.response) return result.response;
  // Every auth route (csrf, login, refresh, logout, logout-all, sessions): a Response, or null.
  const routed = await authRoutes(request);
  if (routed) return auth.apply(routed, result);
  const { pathname } = new URL(request.url);
  if (pathname === '/me') {
    const guard = await auth.requireSession(request); // 401 with WWW-Authenticate, or the session
    if (guard.response) return auth.apply(guard.response, result);
    return auth.apply(Response.json({ userId: guard.session!.userId }), result, guard);
  }
  // Renewed cookies and `Cache-Control: no-store` go on every response: pass each through apply.
  return auth.apply(new Response('Not found', { status: 404 }), result);
}
