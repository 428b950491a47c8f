import { createAuth } from '@sess/fastify';
import fastify from 'fastify';
import fastify4 from 'fastify4';
import { describe, expect, it } from 'vitest';
import { Client } from '../src/client.ts';
import { fixture, ORIGIN } from '../src/fixture.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const login = (_request: unknown, body: Readonly<Record<string, unknown>>) =>
  body.email === ALICE.email && body.password === ALICE.password ? { userId: 'u-alice' } : null;
const FORM = 'application/x-www-form-urlencoded';
const code = (body: string) => (JSON.parse(body) as { error?: { code?: string } }).error?.code;

describe.each([
  ['fastify', fastify],
  ['fastify4', fastify4 as typeof fastify],
])('%s: the plugin in Fastify’s idiom', (_, framework) => {
  const { sess } = fixture('database');

  it('decorates the parent (not encapsulated) and types request.sess', async () => {
    const auth = createAuth(sess);
    const app = framework();
    await app.register(auth.plugin);
    app.get('/who', async (request) => ({ sess: request.sess }));
    expect(app.hasRequestDecorator('sess')).toBe(true);
    expect((await app.inject('/who')).json()).toEqual({ sess: null });
  });

  it('takes the routes’ own folder as a registration prefix, and refuses any other at startup', async () => {
    const auth = createAuth(sess);
    const app = framework();
    await app.register(auth.plugin);
    await app.register(auth.routes({ login }), { prefix: '/auth' });
    expect((await app.inject('/auth/csrf')).statusCode).toBe(200);
    const refused = framework();
    refused.register(auth.routes({ login }), { prefix: '/api' });
    await expect(refused.ready()).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
  });

  it('answers oversized and malformed auth bodies as sess does: 413 and 400', async () => {
    const auth = createAuth(sess, { bodyLimit: 256 });
    const app = framework();
    await app.register(auth.plugin);
    await app.register(auth.routes({ login }));
    const post = (payload: string, type = 'application/json') =>
      app.inject({
        method: 'POST',
        url: '/auth/login',
        payload,
        headers: { 'content-type': type },
      });
    const big = await post(JSON.stringify({ email: 'x'.repeat(300) }));
    expect([big.statusCode, code(big.body)]).toEqual([413, 'ERR_SESS_PAYLOAD_TOO_LARGE']);
    const bad = await post('{"email":');
    expect([bad.statusCode, code(bad.body)]).toEqual([400, 'ERR_SESS_BAD_REQUEST']);
    const form = await post(new URLSearchParams(ALICE).toString(), FORM);
    expect(form.statusCode).toBe(200);
  });

  it('reads a form for the CSRF field and leaves it on request.body; keeps an app’s form parser', async () => {
    for (const ownParser of [false, true]) {
      const auth = createAuth(sess);
      const app = framework();
      if (ownParser) {
        app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        });
      }
      await app.register(auth.plugin);
      await app.register(auth.routes({ login }));
      app.post('/note', { preHandler: auth.requireSession }, async (request) => request.body);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const client = new Client(url, []);
        await client.get('/auth/csrf');
        expect((await client.post('/auth/login', { json: ALICE })).status).toBe(200);
        const token = encodeURIComponent(client.csrfToken!);
        const note = await client.post('/note', {
          raw: { type: FORM, body: `text=hi&_csrf=${token}` },
          csrf: false,
        });
        expect([note.status, note.body.text]).toEqual([200, 'hi']);
        const forged = await client.post('/note', {
          raw: { type: FORM, body: 'text=hi&_csrf=forged' },
          csrf: false,
        });
        expect(forged.status).toBe(403);
      } finally {
        await app.close();
      }
    }
  });

  it('leaves errors that are not sess errors to the app’s error handler', async () => {
    const auth = createAuth(sess);
    const app = framework();
    app.setErrorHandler((error: Error, _request, reply) => {
      reply.code(500).send({ handledBy: 'app', message: error.message });
    });
    app.post(
      '/login',
      auth.login(() => {
        throw new Error('database of users is down');
      }),
    );
    const res = await app.inject({ method: 'POST', url: '/login', headers: { origin: ORIGIN } });
    expect([res.statusCode, res.json()]).toEqual([
      500,
      { handledBy: 'app', message: 'database of users is down' },
    ]);
  });
});
