// Who am I: for signed-in users only.
import { getAuth } from '../../../lib/auth.ts';
import { userById } from '../../../lib/users.ts';

export async function GET(request: Request): Promise<Response> {
  const auth = getAuth();
  const result = await auth.requireSession(request);
  if (result.response) return result.response; // 401, or 503 when the store is down
  const { userId, sessionId, session } = result.session!;
  const user = (await userById(userId)) ?? { id: userId };
  const { createdAt = null, expiresAt = null } = session ?? {};
  return auth.apply(
    Response.json({ user, session: { id: sessionId, createdAt, expiresAt } }),
    result,
  );
}
