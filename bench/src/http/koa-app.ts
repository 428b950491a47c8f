import Router from '@koa/router';
import { createAuth } from '@sess/koa';
import Koa from 'koa';
import type { Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { type Built, floorCredentials, ME, sessFor } from './setup.ts';

/**
 * The Koa app of one contender (routes through @koa/router): `GET /me` answers `{ user }` or 401,
 * sess adding one middleware to the route.
 */
export async function buildKoa(
  kind: ContenderKind,
  services: Services,
  name: string,
): Promise<Built> {
  const app = new Koa();
  const router = new Router();
  const handler = (ctx: Koa.Context) => {
    ctx.body = ME;
  };
  if (kind === 'bare' || kind === 'noop') {
    if (kind === 'bare') router.get('/me', handler);
    else router.get('/me', async (_ctx, next) => next(), handler);
    app.use(router.routes());
    return {
      listener: app.callback(),
      credentials: floorCredentials,
      close: async () => {},
    };
  }
  if (!kind.startsWith('sess-')) throw new Error(`koa: no contender ${kind}`);
  const setup = await sessFor(kind, services, name);
  const auth = createAuth(setup.sess);
  router.get('/me', auth.requireSession, (ctx) => {
    ctx.body = { user: ctx.state.session!.userId };
  });
  app.use(router.routes());
  return {
    listener: app.callback(),
    credentials: async () => setup.credentials,
    close: setup.close,
  };
}
