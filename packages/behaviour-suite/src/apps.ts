import { serve } from '@hono/node-server';
import Router from '@koa/router';
import type { SessionManager } from '@sess/core';
import { createAuth as expressAuth } from '@sess/express';
import { createAuth as honoAuth } from '@sess/hono';
import { createAuth as koaAuth } from '@sess/koa';
import express from 'express';
import express4 from 'express4';
import fastify from 'fastify';
import fastify4 from 'fastify4';
import { Hono, type Context as HonoContext, type MiddlewareHandler } from 'hono';
import Koa, { type Context, type Middleware } from 'koa';
import Koa2 from 'koa2';
import { fastifyApp } from './apps/fastify.ts';
import {
  type AppOptions,
  addToCart,
  BY_HAND,
  byHand,
  cartBody,
  guestError,
  listen,
  type RunningApp,
  routesOptions,
} from './apps/shared.ts';
import { webServer } from './apps/web.ts';
import { type FixtureControl, prepare, type TargetSetup } from './fixture.ts';

export { type AppOptions, BY_HAND, byHand, listen, type RunningApp, routesOptions };

/**
 * The bindings under test; `express4`, `koa2` and `fastify4` are the previous majors of the same
 * frameworks.
 */
export const BINDINGS = [
  'express',
  'koa',
  'hono',
  'express4',
  'koa2',
  'fastify',
  'fastify4',
  'web',
] as const;
export type BindingName = (typeof BINDINGS)[number];

/** Starts the same app (DESIGN §5 routes) on `binding`, listening on a free loopback port. */
export async function startApp(
  binding: BindingName,
  manager: SessionManager,
  options: AppOptions,
): Promise<RunningApp> {
  if (binding === 'express') return listen(expressApp(express, manager, options));
  if (binding === 'express4') return listen(expressApp(express4, manager, options));
  if (binding === 'koa') return listen(koaApp(new Koa(), manager, options).callback());
  if (binding === 'koa2') return listen(koaApp(new Koa2(), manager, options).callback());
  if (binding === 'fastify') return fastifyApp(fastify, manager, options);
  if (binding === 'fastify4') return fastifyApp(fastify4 as typeof fastify, manager, options);
  if (binding === 'web') return webServer(manager, options);
  return honoServer(manager, options);
}

/** An app a behaviour case drives, and the fixture behind it, in this process or another. */
export interface Target {
  readonly url: string;
  readonly fx: FixtureControl;
  close(): Promise<void>;
}

/** Builds the fixture for `setup` here and serves the app on `binding` over it. */
export async function startTarget(binding: BindingName, setup: TargetSetup): Promise<Target> {
  const { fx, options } = prepare(setup);
  const app = await startApp(binding, fx.sess, options);
  return { url: app.url, fx: fx.control, close: () => app.close() };
}

function expressApp(framework: typeof express, manager: SessionManager, options: AppOptions) {
  const auth = expressAuth(manager);
  const app = framework();
  app.use(framework.json(), auth.session, auth.csrf);
  if (options.mount === 'handlers') {
    for (const [method, path, name] of BY_HAND) app[method](path, ...byHand(auth, name, options));
  } else app.use(auth.routes(routesOptions(options)));
  app.get('/me', auth.requireSession, (req, res) => {
    res.json({ userId: req.sess!.userId, sessionId: req.sess!.sessionId });
  });
  app.post('/account/profile', auth.requireSession, (_req, res) => {
    res.json({ updated: true });
  });
  app.post('/account/sensitive', auth.requireFresh('5m'), (_req, res) => {
    res.json({ done: true });
  });
  app.get('/cart', (req, res, next) => {
    auth.guest.get(req).then((guest) => res.json(cartBody(guest)), next);
  });
  app.post('/cart', (req, res, next) => {
    auth.guest.set(req, addToCart(req.body)).then(
      ({ guest }) => res.json(cartBody(guest)),
      (error: unknown) => {
        try {
          const { status, body } = guestError(error);
          res.status(status).json(body);
        } catch (other) {
          next(other);
        }
      },
    );
  });
  return app;
}

function koaApp(app: Koa, manager: SessionManager, options: AppOptions) {
  const auth = koaAuth(manager);
  const router = new Router();
  app.use(auth.session).use(auth.csrf);
  if (options.mount === 'handlers') {
    for (const [method, path, name] of BY_HAND)
      router[method](path, ...byHand<Middleware, Context>(auth, name, options));
  } else app.use(auth.routes(routesOptions(options)));
  router.get('/me', auth.requireSession, (ctx) => {
    ctx.body = { userId: ctx.state.session!.userId, sessionId: ctx.state.session!.sessionId };
  });
  router.post('/account/profile', auth.requireSession, (ctx) => {
    ctx.body = { updated: true };
  });
  router.post('/account/sensitive', auth.requireFresh('5m'), (ctx) => {
    ctx.body = { done: true };
  });
  router.get('/cart', async (ctx) => {
    ctx.body = cartBody(await auth.guest.get(ctx));
  });
  router.post('/cart', async (ctx) => {
    try {
      const body = await jsonOf(ctx.req);
      ctx.body = cartBody((await auth.guest.set(ctx, addToCart(body))).guest);
    } catch (error) {
      const reply = guestError(error);
      ctx.status = reply.status;
      ctx.body = reply.body;
    }
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

function honoServer(manager: SessionManager, options: AppOptions): Promise<RunningApp> {
  const auth = honoAuth(manager);
  const app = new Hono();
  app.use(auth.session, auth.csrf);
  if (options.mount === 'handlers') {
    for (const [method, path, name] of BY_HAND)
      app.on(method, [path], ...byHand<MiddlewareHandler, HonoContext>(auth, name, options));
  } else app.route('/', auth.routes(routesOptions(options)));
  app.get('/me', auth.requireSession, (c) =>
    c.json({ userId: c.get('session')!.userId, sessionId: c.get('session')!.sessionId }),
  );
  app.post('/account/profile', auth.requireSession, (c) => c.json({ updated: true }));
  app.post('/account/sensitive', auth.requireFresh('5m'), (c) => c.json({ done: true }));
  app.get('/cart', async (c) => c.json(cartBody(await auth.guest.get(c))));
  app.post('/cart', async (c) => {
    try {
      const body: unknown = await c.req.json().catch(() => null);
      return c.json(cartBody((await auth.guest.set(c, addToCart(body))).guest));
    } catch (error) {
      const reply = guestError(error);
      return c.json(reply.body, reply.status as 413);
    }
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** A JSON body no parser read (the Koa app mounts none), or null. */
async function jsonOf(stream: AsyncIterable<Buffer | string>): Promise<unknown> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
