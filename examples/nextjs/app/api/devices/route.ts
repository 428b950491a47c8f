// The signed-in user's devices (sessions), the current one marked.
import { getAuth } from '../../../lib/auth.ts';

export async function GET(request: Request): Promise<Response> {
  const result = await getAuth().listSessions(request);
  return result.response!; // the list, or 401 / 503
}
