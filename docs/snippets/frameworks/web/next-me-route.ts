// app/api/me/route.ts: a route of your own, for signed-in users only.
import { auth } from './auth.ts';

export async function GET(request: Request): Promise<Response> {
  const result = await auth.requireSession(request);
  if (result.response) return result.response; // 401, or 503 when the store is down
  return auth.apply(Response.json({ userId: result.session!.userId }), result);
}
