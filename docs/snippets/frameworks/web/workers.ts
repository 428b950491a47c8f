// src/index.ts of a Cloudflare Worker
import { createSessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { type Auth, createAuth, type RoutesHandler } from '@sess/web';
import { verifyPassword } from '../users.ts';

interface Env {
  SESS_SECRET: string;
}

// One manager per isolate, created on the first request (secrets arrive with `env`). The memory
// store lives in this isolate only: another isolate, or this one after eviction, knows none of
// its sessions. Fine for a demo; in production use a store every isolate reaches.
let web: { auth: Auth; routes: RoutesHandler } | undefined;

function setUp(env: Env): { auth: Auth; routes: RoutesHandler } {
  const sess = createSessionManager({
    store: memoryStore(),
    secret: env.SESS_SECRET,
    csrf: { trustedOrigins: ['https://app.example.com'] },
  });
  // Cloudflare sets CF-Connecting-IP itself; a client cannot forge it through Cloudflare.
  const auth = createAuth(sess, { clientIp: (request) => request.headers.get('cf-connecting-ip') });
  const routes = auth.routes({
    login: async (_ctx, body) => {
      const user = await verifyPassword(body.email, body.password);
      return user && { userId: user.id, body: { user } };
    },
  });
  return { auth, routes };
}

// biome-ignore lint/style/noDefaultExport: a Worker's module syntax is its default export
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    web ??= setUp(env);
    const result = await web.auth.authenticate(request);
    if (result.response) return result.response;
    const routed = await web.routes(request);
    if (routed) return web.auth.apply(routed, result);
    return web.auth.apply(Response.json({ userId: result.session?.userId ?? null }), result);
  },
};
