import { createAuth as expressAuth } from '@sess/express';
import { createAuth as honoAuth } from '@sess/hono';
import express from 'express';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { FACTORIES } from '../src/factories.ts';
import { fixture, ORIGIN } from '../src/fixture.ts';

describe.each(Object.entries(FACTORIES))(
  '%s: options are validated once, at creation',
  (_, createAuth) => {
    const { sess } = fixture('database');

    it('refuses unknown or invalid options with one ConfigError listing each', () => {
      expect(() =>
        createAuth(sess, { bodyLimit: 10, realm: 'a"b', colour: 'red' } as never),
      ).toThrow(
        expect.objectContaining({
          code: 'ERR_SESS_CONFIG',
          issues: [
            'http.colour: unknown option',
            'http.bodyLimit: a whole number of bytes >= 256',
            'http.realm: 1-64 printable characters, no quote or backslash',
          ],
        }),
      );
    });

    it('refuses a bad requireFresh duration, a missing verifier and a limiter without consume', () => {
      const auth = createAuth(sess);
      expect(() => auth.requireFresh('soon' as never)).toThrow(/requireFresh\(maxAge\)/);
      expect(() => auth.login(undefined as never)).toThrow(/verify function/);
      expect(() => auth.rateLimit({} as never)).toThrow(/consume/);
    });

    it('refuses CSRF handlers when the manager has no csrf options', async () => {
      const bare = fixture('database', { csrf: undefined }).sess;
      expect(bare.csrf).toBeNull();
      expect(() => createAuth(bare)).not.toThrow();
    });
  },
);

describe('errors that are not sess errors stay the framework’s', () => {
  it('express: a failing verifier reaches the app’s error handler', async () => {
    const { sess } = fixture('database');
    const auth = expressAuth(sess);
    const app = express();
    app.post(
      '/login',
      auth.login(() => {
        throw new Error('database of users is down');
      }),
    );
    app.use(
      (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ handledBy: 'app', message: error.message });
      },
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST' });
    server.close();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ handledBy: 'app', message: 'database of users is down' });
  });

  it('hono: runs on fetch alone (no Node server), and app errors go to onError', async () => {
    const { sess } = fixture('database');
    const auth = honoAuth(sess);
    const app = new Hono();
    app.use(auth.session);
    app.get('/auth/csrf', auth.csrfToken);
    app.post(
      '/login',
      auth.login(() => {
        throw new Error('boom');
      }),
    );
    app.onError((error, c) => c.json({ handledBy: 'app', message: error.message }, 500));
    const csrf = await app.request('/auth/csrf');
    expect(csrf.status).toBe(200);
    expect(csrf.headers.getSetCookie()[0]).toMatch(/^__Host-csrf=/);
    const login = await app.request('/login', { method: 'POST', headers: { origin: ORIGIN } });
    expect(await login.json()).toEqual({ handledBy: 'app', message: 'boom' });
  });
});
