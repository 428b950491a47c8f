import { createAuth } from '@sess/web';
import { sess } from './config.ts';

const auth = createAuth(sess);

export async function setLocale(request: Request): Promise<Response> {
  const result = await auth.authenticate(request);
  if (result.response) return result.response;
  const write = await auth.guest.set(request, (data) => ({ ...data, locale: 'fr' }));
  return auth.apply(Response.json({ ok: true }), result, write);
}
