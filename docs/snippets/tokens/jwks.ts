import { sess } from './sess.ts';

// At startup: import every key now, so a key that cannot be loaded fails the deploy.
await sess.keyring!.load();

// GET /.well-known/jwks.json: the public keys (never an HS256 secret) for other verifiers.
export async function jwks(): Promise<Response> {
  const body = await sess.keyring!.jwks();
  return Response.json(body, { headers: { 'cache-control': 'public, max-age=300' } });
}
