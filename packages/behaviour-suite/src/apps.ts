import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import type {
  AuthRouteName,
  LoginGrant,
  LoginRefusal,
  LoginVerifier,
  RateLimiterLike,
  RateLimitOptions,
  RoutesOptions,
  SessionManager,
} from '@sess/core';
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
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { fastifyApp } from './apps/fastify.ts';
import { webServer } from './apps/web.ts';

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

/** What every test app needs besides its manager. */
export interface AppOptions {
  /** Limits `POST /auth/login`. */
  loginLimiter: RateLimiterLike;
  /** Limits `POST /auth/refresh`, when given. */
  refreshLimiter?: RateLimiterLike;
  /**
   * How the auth routes are mounted: the one-line mount (`auth.routes`), or each handler by hand.
   * @default 'routes'
   */
  mount?: 'routes' | 'handlers';
}

/** A running app. */
export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

const UNLIMITED = new RateLimiterMemory({ points: 1_000_000, duration: 1 });

const USERS: Record<string, { id: string; password: string }> = {
  'alice@example.com': { id: 'u-alice', password: 'alice-password-1' },
  'bob@example.com': { id: 'u-bob', password: 'bob-password-1' },
};

/** The app's own password check; sess only completes the login. */
function verify(body: Readonly<Record<string, unknown>>): LoginGrant | LoginRefusal {
  const email = typeof body.email === 'string' ? body.email : '';
  const user = Object.hasOwn(USERS, email) ? USERS[email] : undefined;
  if (!user) return { refused: 'unknown-account', account: email };
  if (body.password !== user.password) return { refused: 'bad-password', account: email };
  return { userId: user.id, body: { user: { id: user.id, email } } };
}

/** The mount's options for the app's limiters. */
export function routesOptions<C>(options: AppOptions): RoutesOptions<C> {
  const limit = { login: options.loginLimiter, refresh: options.refreshLimiter ?? UNLIMITED };
  return { login: (_ctx, body) => verify(body), limit };
}

/** The auth routes written by hand, for apps that mount each handler themselves. */
export const BY_HAND = [
  ['get', '/auth/csrf', 'csrfToken'],
  ['post', '/auth/login', 'login'],
  ['post', '/auth/refresh', 'refresh'],
  ['post', '/auth/logout', 'logout'],
  ['post', '/auth/logout-all', 'logoutAll'],
  ['get', '/auth/sessions', 'listSessions'],
  ['delete', '/auth/sessions/:id', 'revokeSession'],
] as const satisfies readonly (readonly [string, string, AuthRouteName])[];

interface Handlers<M, C> extends Record<Exclude<AuthRouteName, 'login'>, M> {
  login(verify: LoginVerifier<C>): M;
  rateLimit(limiter: RateLimiterLike, options: RateLimitOptions<C>): M;
}

/** A route's handlers by hand: the limiter the mount would put first, then the handler. */
export function byHand<M, C>(auth: Handlers<M, C>, name: AuthRouteName, options: AppOptions): M[] {
  const { login, limit } = routesOptions<C>(options);
  const limiter = name === 'login' || name === 'refresh' ? limit?.[name] : undefined;
  const handler = name === 'login' ? auth.login(login) : auth[name];
  return limiter ? [auth.rateLimit(limiter, { route: name }), handler] : [handler];
}

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
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Serves a Node request listener on a free loopback port. */
export async function listen(
  handler: Parameters<typeof import('node:http').createServer>[1],
): Promise<RunningApp> {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
