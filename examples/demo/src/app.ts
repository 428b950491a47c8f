import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LoginGrant, LoginRefusal, Validated } from '@sess/core';
import type { Users } from './users.ts';

/** A JSON answer of the demo's own routes. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** The demo's routes, minus the framework: each binding file only maps these onto its router. */
export interface DemoRoutes {
  /** The login verifier passed to `auth.login`: a refusal names the account tried (sess hashes it). */
  verify(body: Readonly<Record<string, unknown>>): Promise<LoginGrant | LoginRefusal>;
  /** `GET /me`. */
  me(auth: Validated): Reply;
  /** `POST /account/profile` `{ displayName }`. */
  profile(auth: Validated, body: unknown): Reply;
  /** A body the demo's parser refused: malformed (400) or too large (413). */
  clientError(status: 400 | 413): Reply;
  /** Anything unrouted. */
  readonly notFound: Reply;
  /** An error that is not sess's: logged by the framework, answered without details. */
  readonly internal: Reply;
}

const error = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Builds the framework-neutral routes over the seeded users. */
export function demoRoutes(users: Users): DemoRoutes {
  const view = (userId: string) => {
    const user = users.byId(userId);
    return { id: userId, email: user?.email ?? null, displayName: user?.displayName ?? '' };
  };
  return {
    async verify(body) {
      const user = await users.verify(body.email, body.password);
      if (user) return { userId: user.id, body: { user: view(user.id) } };
      const account = typeof body.email === 'string' ? body.email.slice(0, 256) : null;
      return { refused: 'invalid-credentials', account };
    },
    me(auth) {
      // The jwt strategy never reads the store: the token's claims stand in for the record.
      const { session, claims } = auth;
      return {
        status: 200,
        body: {
          user: view(auth.userId),
          session: {
            id: auth.sessionId,
            createdAt: iso(session?.createdAt ?? auth.authenticatedAt),
            expiresAt: iso(session?.expiresAt ?? (claims ? claims.exp * 1000 : null)),
          },
        },
      };
    },
    profile(auth, body) {
      const name = (body as { displayName?: unknown } | null)?.displayName;
      if (typeof name !== 'string' || name.trim().length === 0 || name.length > 64) {
        return error(400, 'ERR_DEMO_INVALID_PROFILE', 'displayName must be 1 to 64 characters');
      }
      const user = users.byId(auth.userId);
      if (user) user.displayName = name.trim();
      return { status: 200, body: { user: view(auth.userId) } };
    },
    clientError: (status) =>
      status === 413
        ? error(413, 'ERR_DEMO_PAYLOAD_TOO_LARGE', 'The body is too large')
        : error(400, 'ERR_DEMO_BAD_REQUEST', 'The body is not valid JSON'),
    notFound: error(404, 'ERR_DEMO_NOT_FOUND', 'No such route'),
    internal: error(500, 'ERR_DEMO_INTERNAL', 'Internal error'),
  };
}

/** The browser page's static files, read once. */
export interface Asset {
  readonly type: string;
  readonly body: string;
}

const asset = (name: string, type: string): Asset => ({
  type,
  body: readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8'),
});

/**
 * `@sess/client`'s built ESM bundle, which the page imports. A missing build answers with a script
 * that says so, rather than stopping the whole demo.
 */
function clientBundle(): Asset {
  const type = 'text/javascript; charset=utf-8';
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('@sess/client/package.json')), 'dist/index.js');
  try {
    // The source map is not served: drop the comment that points at it.
    return {
      type,
      body: readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'),
    };
  } catch {
    return {
      type,
      body: 'throw new Error("@sess/client is not built: pnpm --filter @sess/client build");\n',
    };
  }
}

/** `/`, `/app.js`, `/app.css` and `/client.js`. */
export const ASSETS: Readonly<Record<string, Asset>> = {
  '/': asset('index.html', 'text/html; charset=utf-8'),
  '/app.js': asset('app.js', 'text/javascript; charset=utf-8'),
  '/app.css': asset('app.css', 'text/css; charset=utf-8'),
  '/client.js': clientBundle(),
};

/** Headers on every response: the page loads nothing from elsewhere and is never framed. */
export function securityHeaders(origin: string): Readonly<Record<string, string>> {
  return {
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(origin.startsWith('https:')
      ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' }
      : {}),
  };
}
