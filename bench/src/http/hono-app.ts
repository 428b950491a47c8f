import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { createAuth } from '@sess/hono';
import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { AUDIENCE, ISSUER, JWT_SECRET } from '../fixtures.ts';
import type { MixName } from '../mixes.ts';
import type { Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { type FloorStore, storeFloor, tokenFloor } from './floors.ts';
import { type Built, ME, mintAccessTokens, sessFor, UNAUTHORIZED } from './setup.ts';

const READS: Partial<Record<ContenderKind, FloorStore>> = {
  'redis-read': 'redis',
  'postgres-read': 'postgres',
  'sqlite-read': 'sqlite',
};

/**
 * The Hono app of one contender, served by @hono/node-server: `GET /me` answers `{ user }` or 401,
 * each contender adding exactly one middleware to the route.
 */
export async function buildHono(
  kind: ContenderKind,
  services: Services,
  name: string,
  mix: MixName,
): Promise<Built> {
  // `user`: what the floors' middleware read.
  const app = new Hono<{ Bindings: HttpBindings; Variables: { user: string } }>();
  const built = (rest: Omit<Built, 'listener'>): Built => ({
    listener: getRequestListener(app.fetch),
    ...rest,
  });
  const none = async () => {};
  if (kind === 'bare') {
    app.get('/me', (c) => c.json(ME));
    return built({ credentials: await mintAccessTokens(mix), close: none });
  }
  if (kind === 'noop') {
    app.get(
      '/me',
      async (_c, next) => {
        await next();
      },
      (c) => c.json(ME),
    );
    return built({ credentials: await mintAccessTokens(mix), close: none });
  }
  if (kind === 'token-lookup') {
    const floor = await tokenFloor(mix);
    app.get(
      '/me',
      async (c, next) => {
        const user = floor.read(c.env.incoming.headers.authorization);
        if (user === null) return c.json(UNAUTHORIZED, 401);
        c.set('user', user);
        await next();
      },
      (c) => c.json({ user: c.get('user') }),
    );
    return built({ credentials: floor.credentials, close: none });
  }
  const read = READS[kind];
  if (read !== undefined) {
    const floor = await storeFloor(read, services, name, mix);
    // Node's parsed headers, as @sess/hono reads them: c.req.header() would build a Web Headers.
    // In a middleware, as every session check is: the read's result rides on the context.
    app.get(
      '/me',
      async (c, next) => {
        const user = await floor.read(c.env.incoming.headers.cookie);
        if (user === null) return c.json(UNAUTHORIZED, 401);
        c.set('user', user);
        await next();
      },
      (c) => c.json({ user: c.get('user') }),
    );
    return built({ credentials: floor.credentials, close: floor.close });
  }
  if (kind === 'hono-jwt') {
    // As Hono's docs show it, with every check it offers: alg, iss, aud, typ, exp, iat.
    const verify = jwt({
      secret: JWT_SECRET,
      alg: 'HS256',
      verification: { iss: ISSUER, aud: AUDIENCE, typ: 'at+jwt' },
    });
    app.get('/me', verify, (c) => c.json({ user: (c.get('jwtPayload') as { sub: string }).sub }));
    return built({ credentials: await mintAccessTokens(mix), close: none });
  }
  if (!kind.startsWith('sess-')) throw new Error(`hono: no contender ${kind}`);
  const setup = await sessFor(kind, services, name, mix);
  const auth = createAuth(setup.sess);
  app.get('/me', auth.requireSession, (c) => c.json({ user: c.get('session')!.userId }));
  return built({ credentials: setup.credentials, sess: setup.sess, close: setup.close });
}
