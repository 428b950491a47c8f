// app/routes/account.tsx (Remix, or React Router 7 in framework mode)
import { auth } from './auth.ts';

// `LoaderFunctionArgs` / `ActionFunctionArgs` (or `Route.LoaderArgs`) by their shape, so the docs
// need not install Remix: sess reads only the request.
interface Args {
  request: Request;
}

export async function loader({ request }: Args): Promise<Response> {
  const result = await auth.requireSession(request);
  if (result.response) throw result.response; // a thrown Response is sent as is
  return auth.apply(Response.json({ userId: result.session!.userId }), result);
}

export async function action({ request }: Args): Promise<Response> {
  // CSRF first: the `x-csrf-token` header, or the form's `_csrf` field.
  const checked = await auth.authenticate(request);
  if (checked.response) throw checked.response;
  const guard = await auth.requireSession(request);
  if (guard.response) throw auth.apply(guard.response, checked);
  // sess read a clone of the body: the form is still yours to read.
  const form = await request.formData();
  return auth.apply(Response.json({ saved: form.get('displayName') }), checked, guard);
}
