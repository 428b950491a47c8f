import { serializeCookie } from '@sess/core';
import type { Migration } from '@sess/migrate-express-session';

/**
 * For Fetch-style runtimes (`@sess/web`, Hono's `c.req.raw`): the request to hand on, with the
 * new session cookie in place of the legacy one, and the headers the response must carry.
 */
export async function migrateRequest(
  migration: Migration,
  request: Request,
): Promise<{ request: Request; headers: [string, string][] }> {
  const result = await migration.migrate(request);
  const headers = result.cookies.map((c): [string, string] => ['set-cookie', serializeCookie(c)]);
  if (result.outcome !== 'migrated') return { request, headers };
  const rewritten = new Headers(request.headers);
  rewritten.set('cookie', result.cookieHeader);
  headers.push(['cache-control', 'no-store']);
  return { request: new Request(request, { headers: rewritten }), headers };
}
