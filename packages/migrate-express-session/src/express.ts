import { serializeCookie } from '@sess/core';
import { type NodeHeaders, nodeRequest } from '@sess/core/http';
import type { Migration } from './migration.ts';

/** The parts of an Express (4 or 5) request the middleware reads and writes. */
export interface ExpressRequestLike {
  readonly method: string;
  headers: NodeHeaders & { cookie?: string | undefined };
  readonly rawHeaders?: readonly string[];
  readonly ip?: string | undefined;
}

/** The part of an Express response the middleware writes. */
export interface ExpressResponseLike {
  append(name: string, value: string): unknown;
  setHeader(name: string, value: string): unknown;
}

/**
 * The migration as Express middleware: mount it **before** `auth.session`. It applies the
 * cookies, and after a conversion rewrites `req.headers.cookie` (the new sess cookie in, the legacy
 * one out) so `auth.session` serves this same request as the converted user and an
 * express-session mounted after it sees no legacy cookie. Errors (a failing store: 503) go to
 * `next`.
 *
 * @example
 * ```ts
 * app.use(expressMigration(migration), auth.session, auth.csrf);
 * ```
 */
export function expressMigration(
  migration: Migration,
): (req: ExpressRequestLike, res: ExpressResponseLike, next: (error?: unknown) => void) => void {
  return function sessMigrateExpressSession(req, res, next) {
    const view = nodeRequest(req.method, req.headers, () => req.ip, req.rawHeaders);
    migration.migrate(view).then((result) => {
      for (const cookie of result.cookies) res.append('set-cookie', serializeCookie(cookie));
      if (result.outcome === 'migrated') {
        res.setHeader('cache-control', 'no-store');
        req.headers.cookie = result.cookieHeader;
      }
      next();
    }, next);
  };
}
