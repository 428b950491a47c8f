import { createAuth as expressAuth } from '@sess/express';
import { createAuth as honoAuth } from '@sess/hono';
import { createAuth as koaAuth } from '@sess/koa';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { BINDINGS, listen, type RunningApp, startApp } from '../src/apps.ts';
import { Client } from '../src/client.ts';
import { FACTORIES } from '../src/factories.ts';
import { fixture } from '../src/fixture.ts';

const login = () => null;
const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

describe.each(Object.entries(FACTORIES))('%s: the one-line mount', (_, createAuth) => {
  const { sess } = fixture('jwt');
  const auth = createAuth(sess);

  it('refuses a prefix that disagrees with the refresh cookie path, at mount time', () => {
    expect(() => auth.routes({ login, prefix: '/api' })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          "routes.prefix: disagrees with the refresh cookie's path '/auth/refresh' " +
            "(cookies.refreshPath): use '/auth', or change cookies.refreshPath",
        ],
      }),
    );
    expect(() => auth.routes({ login, prefix: '/auth' })).not.toThrow();
    expect(() => auth.routes({ login, prefix: '/auth/' })).not.toThrow();
  });

  it('refuses every other problem at once: unknown options, no verifier, bad limiters', () => {
    expect(() => auth.routes({ limt: {}, limit: { signin: {}, refresh: {} } } as never)).toThrow(
      expect.objectContaining({
        issues: [
          'routes.limt: unknown option (did you mean `limit`?)',
          'routes.login: a verify function',
          'routes.limit.signin: unknown option',
          'routes.limit.signin: a rate-limiter-flexible limiter (with consume)',
          'routes.limit.refresh: a rate-limiter-flexible limiter (with consume)',
        ],
      }),
    );
  });
});

describe('the mount follows cookies.refreshPath', () => {
  it.each(BINDINGS)(
    '%s: every route moves with it, and refresh receives its cookie',
    async (binding) => {
      const fx = fixture('jwt', { cookies: { refreshPath: '/api/auth/refresh' } });
      const loginLimiter = new RateLimiterMemory({ points: 100, duration: 60 });
      const app = await startApp(binding, fx.sess, { loginLimiter });
      try {
        const client = new Client(app.url, []);
        expect((await fetch(`${app.url}/auth/csrf`)).status).toBe(404);
        expect((await client.get('/api/auth/csrf')).status).toBe(200);
        const signedIn = await client.post('/api/auth/login', { json: ALICE });
        expect(signedIn.status).toBe(200);
        expect(client.jar.get('__Secure-refresh')?.path).toBe('/api/auth/refresh');
        const refreshed = await client.post('/api/auth/refresh', { json: {} });
        expect(refreshed.status).toBe(200);
        expect((await client.get('/api/auth/sessions')).status).toBe(200);
      } finally {
        await app.close();
      }
    },
  );
});

describe('a mount under a prefix its cookies do not know is refused when it answers', () => {
  const { sess } = fixture('jwt');
  const refused = async (app: RunningApp) => {
    try {
      const res = await fetch(`${app.url}/api/auth/csrf`);
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    } finally {
      await app.close();
    }
  };
  const failure = [500, 'ERR_SESS_CONFIG'];

  it('express: app.use(prefix, auth.routes())', async () => {
    const auth = expressAuth(sess);
    const app = express().use('/api', auth.routes({ login }));
    expect(await refused(await listen(app))).toEqual(failure);
  });

  it('koa: under a middleware that strips the prefix (as koa-mount does)', async () => {
    const auth = koaAuth(sess);
    const routes = auth.routes({ login });
    const app = new Koa().use((ctx, next) => {
      ctx.path = ctx.path.replace(/^\/api/, '');
      return routes(ctx, next);
    });
    expect(await refused(await listen(app.callback()))).toEqual(failure);
  });

  it('hono: app.route(prefix, auth.routes())', async () => {
    const auth = honoAuth(sess);
    const app = new Hono().route('/api', auth.routes({ login }));
    const res = await app.request('/api/auth/csrf');
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual(
      failure,
    );
  });
});
