// Revokes one of the signed-in user's devices.
import { getAuth } from '../../../../lib/auth.ts';

export async function DELETE(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const auth = getAuth();
  // An unsafe method: the CSRF checks first (the session is validated once for both calls).
  const checked = await auth.authenticate(request);
  if (checked.response) return checked.response;
  const result = await auth.revokeSession(request, { params: await params });
  return auth.apply(result.response!, checked);
}
