import Router from '@koa/router';
import { createAuth } from '@sess/koa';
import Koa from 'koa';
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
 * The Koa app of one contender (routes through @koa/router): `GET /me` answers `{ user }` or 401,
 * sess adding one middleware to the route.
 */
export async function buildKoa(
  kind: ContenderKind,
  services: Services,
  name: string,
  mix: MixName,
): Promise<Built> {
  const app = new Koa();
  const router = new Router();
  const built = (rest: Omit<Built, 'listener'>): Built => {
    app.use(router.routes());
    return { listener: app.callback(), ...rest };
  };
  const handler = (ctx: Koa.Context) => {
    ctx.body = ME;
  };
  if (kind === 'bare' || kind === 'noop') {
    if (kind === 'bare') router.get('/me', handler);
    else router.get('/me', async (_ctx, next) => next(), handler);
    return built({ credentials: await mintAccessTokens(mix), close: async () => {} });
  }
  // A floor's middleware: the user it read rides on ctx.state, as every session check's does.
  const admit = (ctx: Koa.Context, next: Koa.Next, user: string | null) => {
    if (user === null) {
      ctx.status = 401;
      ctx.body = UNAUTHORIZED;
      return;
    }
    ctx.state.user = user;
    return next();
  };
  const floorHandler = (ctx: Koa.Context) => {
    ctx.body = { user: ctx.state.user as string };
  };
  if (kind === 'token-lookup') {
    const floor = await tokenFloor(mix);
    router.get(
      '/me',
      (ctx, next) => admit(ctx, next, floor.read(ctx.req.headers.authorization)),
      floorHandler,
    );
    return built({ credentials: floor.credentials, close: async () => {} });
  }
  const read = READS[kind];
  if (read !== undefined) {
    const floor = await storeFloor(read, services, name, mix);
    router.get(
      '/me',
      async (ctx, next) => admit(ctx, next, await floor.read(ctx.req.headers.cookie)),
      floorHandler,
    );
    return built({ credentials: floor.credentials, close: floor.close });
  }
  if (!kind.startsWith('sess-')) throw new Error(`koa: no contender ${kind}`);
  const setup = await sessFor(kind, services, name, mix);
  const auth = createAuth(setup.sess);
  router.get('/me', auth.requireSession, (ctx) => {
    ctx.body = { user: ctx.state.session!.userId };
  });
  return built({ credentials: setup.credentials, sess: setup.sess, close: setup.close });
}
