import { getRequestListener } from '@hono/node-server';
import { createAuth } from '@sess/hono';
import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { AUDIENCE, ISSUER, JWT_SECRET } from '../fixtures.ts';
import type { Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { type Built, bearer, floorCredentials, ME, mintAccessToken, sessFor } from './setup.ts';

/**
 * The Hono app of one contender, served by @hono/node-server: `GET /me` answers `{ user }` or 401,
 * each contender adding exactly one middleware to the route.
 */
export async function buildHono(
  kind: ContenderKind,
  services: Services,
  name: string,
): Promise<Built> {
  const app = new Hono();
  const built = (credentials: Built['credentials'], close = async () => {}): Built => ({
    listener: getRequestListener(app.fetch),
    credentials,
    close,
  });
  if (kind === 'bare') {
    app.get('/me', (c) => c.json(ME));
    return built(floorCredentials);
  }
  if (kind === 'noop') {
    app.get(
      '/me',
      async (_c, next) => {
        await next();
      },
      (c) => c.json(ME),
    );
    return built(floorCredentials);
  }
  if (kind === 'hono-jwt') {
    // As Hono's docs show it, with every check it offers: alg, iss, aud, typ, exp, iat.
    const verify = jwt({
      secret: JWT_SECRET,
      alg: 'HS256',
      verification: { iss: ISSUER, aud: AUDIENCE, typ: 'at+jwt' },
    });
    app.get('/me', verify, (c) => c.json({ user: (c.get('jwtPayload') as { sub: string }).sub }));
    const token = await mintAccessToken();
    return built(async () => bearer(token));
  }
  if (!kind.startsWith('sess-')) throw new Error(`hono: no contender ${kind}`);
  const setup = await sessFor(kind, services, name);
  const auth = createAuth(setup.sess);
  app.get('/me', auth.requireSession, (c) => c.json({ user: c.get('session')!.userId }));
  return built(async () => setup.credentials, setup.close);
}
