import { createSessionManager, silentLogger } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { createAuth } from '@sess/web';
import { describe, expect, it } from 'vitest';

const ORIGIN = 'https://app.example';
const sess = createSessionManager({
  store: memoryStore(),
  strategy: 'database',
  secret: 'web-binding-test-secret-5b2e8c1f7a9d3e6b4c0a',
  logger: silentLogger,
  csrf: { trustedOrigins: [ORIGIN] },
});
const auth = createAuth(sess, { clientIp: (r) => r.headers.get('x-test-ip') });
const routes = auth.routes({
  login: (ctx, body) =>
    body.password === 'right'
      ? { userId: 'u1', body: { ip: ctx.request.headers.get('x-test-ip') } }
      : null,
});

/** A Workers-style app: authenticate, the auth routes, one route of its own. */
async function app(request: Request): Promise<Response> {
  const result = await auth.authenticate(request);
  if (result.response) return result.response;
  const routed = await routes(request);
  if (routed) return auth.apply(routed, result);
  const guard = await auth.requireSession(request);
  if (guard.response) return auth.apply(guard.response, result);
  return auth.apply(Response.json({ userId: result.session?.userId }), result, guard);
}

const at = (path: string, init: RequestInit = {}) =>
  new Request(`https://app.example${path}`, {
    ...init,
    headers: { origin: ORIGIN, 'x-test-ip': '203.0.113.7', ...init.headers },
  });

async function login(password = 'right') {
  const csrf = await app(at('/auth/csrf'));
  const cookie = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  return app(
    at('/auth/login', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    }),
  );
}

describe('@sess/web', () => {
  it('logs in through routes() and authenticates the cookie it set', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ip: '203.0.113.7' });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => !c!.endsWith('='))
      .join('; ');
    const me = await app(at('/me', { headers: { cookie } }));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ userId: 'u1' });
    const list = await app(at('/auth/sessions', { headers: { cookie } }));
    const { sessions } = (await list.json()) as { sessions: { ip: string }[] };
    expect(sessions[0]!.ip).toBe('203.0.113.7');
  });

  it('answers 401 with WWW-Authenticate for a request without a session', async () => {
    const res = await app(at('/me'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sess"');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a cross-site unsafe request with 403 before any route', async () => {
    const res = await app(
      at('/auth/login', { method: 'POST', headers: { origin: 'https://evil.example' } }),
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_SESS_CSRF');
  });

  it('returns null for a path that is not an auth route', async () => {
    expect(await routes(at('/elsewhere'))).toBeNull();
    expect(await routes(at('/auth/login'))).toBeNull(); // GET: no such route
  });

  it('answers 413 past bodyLimit and 400 for malformed JSON', async () => {
    // No Origin: a non-browser client, which the CSRF checks let through to the body.
    const big = await routes(
      new Request('https://app.example/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: 'x'.repeat(20_000) }),
      }),
    );
    expect(big!.status).toBe(413);
    expect(((await big!.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_SESS_PAYLOAD_TOO_LARGE',
    );
    const bad = await routes(
      new Request('https://app.example/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"refreshToken":',
      }),
    );
    expect(bad!.status).toBe(400);
  });

  it('reads the CSRF form field from a clone: the action can still read its form', async () => {
    const csrf = await app(at('/auth/csrf'));
    const cookie = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const request = at('/form', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, note: 'kept' }).toString(),
    });
    const result = await auth.authenticate(request);
    expect(result.response).toBeNull();
    expect((await request.formData()).get('note')).toBe('kept');
  });

  it('apply() puts sess headers first, copying a response whose headers are immutable', async () => {
    const result = { session: null, response: null, headers: [['set-cookie', 'a=1'] as const] };
    const mutable = new Response('ok', { headers: { 'set-cookie': 'b=2', 'x-own': '1' } });
    expect(auth.apply(mutable, result)).toBe(mutable);
    expect(mutable.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const immutable = Response.redirect('https://app.example/', 302);
    const copy = auth.apply(immutable, result);
    expect(copy).not.toBe(immutable);
    expect([copy.status, copy.headers.get('location'), copy.headers.getSetCookie()]).toEqual([
      302,
      'https://app.example/',
      ['a=1'],
    ]);
  });

  it('takes the client IP per request (Deno, Node), else from the clientIp option', async () => {
    const keys: string[] = [];
    const limiter = { consume: async (key: string) => void keys.push(key) };
    const limit = createAuth(sess).rateLimit(limiter);
    await limit(new Request('https://app.example/'), { ip: '198.51.100.1' });
    await limit(new Request('https://app.example/'));
    await auth.rateLimit(limiter)(at('/'));
    expect(keys).toEqual(['198.51.100.1', 'unknown', '203.0.113.7']);
  });

  it('keeps each binding to itself: one binding’s CSRF pass does not stand for another’s', async () => {
    const strict = createSessionManager({
      store: memoryStore(),
      strategy: 'database',
      secret: 'web-binding-test-secret-other-9c3d1e7f5a2b8c4d6e0f',
      logger: silentLogger,
      csrf: { mode: 'origin-only', trustedOrigins: ['https://admin.example'] },
    });
    const request = at('/admin', { method: 'POST', headers: { origin: 'https://admin.example' } });
    expect((await createAuth(strict).authenticate(request)).response).toBeNull();
    expect((await auth.authenticate(request)).response?.status).toBe(403);
  });

  it('validates options once, at creation', () => {
    expect(() => createAuth(sess, { clientIp: 'x' as never })).toThrow(/clientIp/);
    expect(() => createAuth(sess, { bodyLimit: 1 })).toThrow(/bodyLimit/);
    expect(() => auth.routes({ login: undefined as never })).toThrow(/verify function/);
  });
});
