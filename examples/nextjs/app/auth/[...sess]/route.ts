// Every auth route (csrf, login, refresh, logout, logout-all, sessions), CSRF checks included. At
// /auth/*: the refresh cookie's path is /auth/refresh.
import { authRoutes } from '../../../lib/auth.ts';

async function handle(request: Request): Promise<Response> {
  return (await authRoutes(request)) ?? new Response('Not found', { status: 404 });
}

export { handle as DELETE, handle as GET, handle as POST };
