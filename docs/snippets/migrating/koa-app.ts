import { serializeCookie } from '@sess/core';
import { nodeRequest } from '@sess/core/http';
import type { Migration } from '@sess/migrate-express-session';
import type { Middleware } from 'koa';

/** The migration as Koa middleware: mount it before `auth.session`. */
export function koaMigration(migration: Migration): Middleware {
  return async function sessMigrateExpressSession(ctx, next) {
    const result = await migration.migrate(
      nodeRequest(ctx.method, ctx.headers, () => ctx.ip, ctx.req.rawHeaders),
    );
    for (const cookie of result.cookies) ctx.append('set-cookie', serializeCookie(cookie));
    if (result.outcome === 'migrated') {
      ctx.set('cache-control', 'no-store');
      ctx.req.headers.cookie = result.cookieHeader; // auth.session sees the new session
    }
    await next();
  };
}
