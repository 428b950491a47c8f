// middleware.ts: CSRF checks on every unsafe request, and renewed cookies on every response.
import { auth } from './auth.ts';

// In your app: `import { NextResponse } from 'next/server'`. Declared here by its shape, so the
// docs need not install Next.js.
declare const NextResponse: { next(): Response };

export async function middleware(request: Request): Promise<Response> {
  const result = await auth.authenticate(request);
  if (result.response) return result.response;
  return auth.apply(NextResponse.next(), result);
}

export const config = { matcher: ['/api/:path*'] };
