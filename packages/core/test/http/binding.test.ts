import { describe, expect, it } from 'vitest';
import { createBinding, type Outcome, type Runner } from '../../src/http/index.ts';
import { nodeRequest } from '../../src/http/node-request.ts';
import type { Validated } from '../../src/results.ts';
import { setup } from '../helpers.ts';

const MIN = 60_000;

interface Ctx {
  readonly cookie: string;
  auth?: Validated | null;
}

/**
 * A binding over plain objects: the request is a cookie header, middleware are the runners; the
 * client IP is resolved by `ip` (lazily, as the Express and Koa bindings do).
 */
function bind(sess: ReturnType<typeof setup>['sess'], ip: () => string = () => '127.0.0.1') {
  return createBinding<Runner<Ctx>, Ctx>(
    sess,
    {},
    {
      request: (ctx) => nodeRequest('GET', { cookie: ctx.cookie, 'user-agent': 'ua/1' }, ip),
      attach: (ctx, auth) => {
        ctx.auth = auth;
      },
      body: async () => ({}),
      param: () => undefined,
    },
    (run) => run,
  );
}

const setCookies = (outcome: Outcome) =>
  outcome.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value);

describe('createBinding: the middleware that authenticates carries the renewal', () => {
  /** A session whose renewal is due, and a request carrying its credential. */
  const renewalDue = async () => {
    const { sess, clock } = setup({
      sessions: { standard: { idleTimeout: '1h', absoluteTimeout: '8h', renewalInterval: '10m' } },
    });
    const { credential } = await sess.create('alice');
    clock.advance(11 * MIN);
    const ctx: Ctx = { cookie: `${sess.cookies.names.session}=${credential}` };
    return { sess, auth: bind(sess), ctx, credential };
  };

  it('requireSession alone sets the renewed cookie, with no-store', async () => {
    const { sess, auth, ctx, credential } = await renewalDue();
    const outcome = await auth.requireSession(ctx);
    expect(outcome.reply).toBeNull();
    expect(ctx.auth?.userId).toBe('alice');
    expect(outcome.headers).toContainEqual(['cache-control', 'no-store']);
    const [renewed] = setCookies(outcome);
    expect(renewed).toContain(`${sess.cookies.names.session}=${ctx.auth!.credential}`);
    expect(ctx.auth!.credential).not.toBe(credential);
  });

  it('sets it once: a later middleware on the same request adds nothing', async () => {
    const { auth, ctx } = await renewalDue();
    expect(setCookies(await auth.session(ctx))).toHaveLength(1);
    expect((await auth.requireSession(ctx)).headers).toEqual([]);
  });

  it('puts the renewal before a handler reply of its own, so the reply has the last word', async () => {
    const { auth, ctx } = await renewalDue();
    const outcome = await auth.logout(ctx);
    expect(outcome.reply?.status).toBe(200);
    const cookies = setCookies(outcome);
    expect(cookies[0]).toContain(ctx.auth!.credential!);
    expect(cookies.at(-1)).toMatch(/Max-Age=0/);
  });
});

describe('nodeRequest: the client IP is resolved only when something reads it', () => {
  const resolving = () => {
    const calls = { n: 0 };
    const ip = () => {
      calls.n++;
      return '10.0.0.9';
    };
    return { calls, ip };
  };

  it('is never resolved to validate without binding checks', async () => {
    const { sess } = setup();
    const { credential } = await sess.create('alice');
    const { calls, ip } = resolving();
    const ctx: Ctx = { cookie: `${sess.cookies.names.session}=${credential}` };
    expect((await bind(sess, ip).requireSession(ctx)).reply).toBeNull();
    expect(ctx.auth?.userId).toBe('alice');
    expect(calls.n).toBe(0);
  });

  it('is resolved for an IP binding check, and acted on', async () => {
    const { sess } = setup({ binding: { ip: 'revoke' } });
    const { credential } = await sess.create('alice', { request: { ip: '10.0.0.1' } });
    const { calls, ip } = resolving();
    const ctx: Ctx = { cookie: `${sess.cookies.names.session}=${credential}` };
    expect((await bind(sess, ip).requireSession(ctx)).reply?.status).toBe(401);
    expect(calls.n).toBeGreaterThan(0);
  });
});
