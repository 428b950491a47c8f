// app/auth/[...sess]/route.ts: every auth route, CSRF checks included.
import { authRoutes } from './auth.ts';

async function handle(request: Request): Promise<Response> {
  return (await authRoutes(request)) ?? new Response('Not found', { status: 404 });
}

export { handle as DELETE, handle as GET, handle as POST };
