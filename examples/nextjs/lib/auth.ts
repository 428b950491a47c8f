// One session manager and one @sess/web binding for the whole server, created on first use: `next
// build` imports the route modules to collect their config, and must not open the database.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSessionManager, type SessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';
import { type Auth, createAuth, type RoutesHandler } from '@sess/web';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { verifyPassword } from './users.ts';

interface Sess {
  readonly manager: SessionManager;
  readonly auth: Auth;
  readonly routes: RoutesHandler;
}

let sess: Sess | undefined;

function setUp(): Sess {
  const file = process.env.SESS_DATABASE ?? 'data/sess.db';
  mkdirSync(dirname(file), { recursive: true });
  const origin = process.env.SESS_ORIGIN ?? 'http://localhost:3000';
  const manager = createSessionManager({
    // better-sqlite3 is native: next.config.ts keeps it out of the bundle.
    store: sqliteStore({ database: file, migrate: true }),
    // A random secret per start is fine for an example: sessions survive a restart (the store
    // keeps hashes), CSRF tokens do not, and the page fetches a new one. Set SESS_SECRET in
    // production, the same on every instance.
    secret: process.env.SESS_SECRET ?? randomBytes(32).toString('base64url'),
    csrf: { trustedOrigins: [origin] },
  });
  // Behind a proxy you trust, the client IP is the header it sets (and clients cannot).
  const auth = createAuth(manager, { clientIp: (request) => request.headers.get('x-real-ip') });
  const routes = auth.routes({
    login: async (_ctx, body) => {
      const user = await verifyPassword(body.email, body.password);
      return user && { userId: user.id, body: { user } };
    },
    limit: {
      login: new RateLimiterMemory({
        points: Number(process.env.SESS_LOGINS_PER_MINUTE ?? 10),
        duration: 60,
      }),
    },
  });
  return { manager, auth, routes };
}

/** The binding: `authenticate`, `requireSession`, `listSessions`, `apply`… */
export function getAuth(): Auth {
  sess ??= setUp();
  return sess.auth;
}

/** Every auth route: a `Response`, or null when the request is not for one. */
export function authRoutes(request: Request): Promise<Response | null> {
  sess ??= setUp();
  return sess.routes(request);
}
