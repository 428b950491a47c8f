import {
  type CookieInstruction,
  createSessionManager,
  csrfCookie,
  httpStatusFor,
  isSessError,
  LoginFailedError,
  readCookies,
  serializeCookie,
  type Validated,
} from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';
import { verifyPassword } from './users.ts';

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  // The cookie defaults (Secure, __Host- names) also work on http://localhost.
  csrf: { trustedOrigins: [process.env.APP_ORIGIN ?? 'http://localhost:3000'] },
});
const cookies = sess.cookies; // the validated names and attributes the manager sets cookies with
const csrf = sess.csrf!; // present because `csrf` options were given

export function reply(
  body: unknown,
  status: number,
  set: readonly CookieInstruction[] = [],
): Response {
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const cookie of set) headers.append('set-cookie', serializeCookie(cookie));
  if (set.length > 0) headers.set('cache-control', 'no-store'); // never cache a credential
  return new Response(JSON.stringify(body), { status, headers });
}

export function fail(error: unknown, set: readonly CookieInstruction[] = []): Response {
  if (!isSessError(error)) throw error; // your own bugs stay yours
  return reply({ error: error.toJSON() }, httpStatusFor(error.code), set);
}

type Handler = (auth: Validated) => Promise<{ body: unknown; cookies?: CookieInstruction[] }>;

/** Runs `handler` for an authenticated, CSRF-checked request. `ip`: from your proxy rules. */
async function withSession(request: Request, ip: string | null, handler: Handler) {
  let renewed: readonly CookieInstruction[] = [];
  try {
    const { values } = readCookies(request.headers.get('cookie'), cookies.names);
    const auth = await sess.validate(values.session, {
      userAgent: request.headers.get('user-agent'),
      ip,
    });
    renewed = auth.cookies; // a renewed credential must reach the browser, whatever happens next
    await csrf.protect(request, { sessionId: auth.sessionId }); // GET/HEAD/OPTIONS pass
    const result = await handler(auth);
    return reply(result.body, 200, result.cookies ?? renewed);
  } catch (error) {
    return fail(error, renewed);
  }
}

// GET /auth/csrf: a pre-session token protects the login form itself (login CSRF).
export async function csrfToken(): Promise<Response> {
  const pre = await csrf.preSession();
  return reply({ csrfToken: pre.token }, 200, [csrfCookie(cookies, pre.preSessionId)]);
}

// POST /auth/login, with the token in the `x-csrf-token` header.
export async function login(request: Request, ip: string | null): Promise<Response> {
  try {
    const { values } = readCookies(request.headers.get('cookie'), cookies.names);
    await csrf.protect(request, { preSessionId: values.csrf });
    const { email, password } = (await request.json()) as { email: string; password: string };
    const user = await verifyPassword(email, password); // yours
    if (!user) throw new LoginFailedError(); // 401 ERR_SESS_LOGIN_FAILED
    const userAgent = request.headers.get('user-agent');
    const issued = await sess.create(user.id, { request: { userAgent, ip } });
    // Tokens are bound to the session id: hand the page one for the new session.
    const token = await csrf.issue({ sessionId: issued.session.id });
    return reply({ csrfToken: token }, 200, issued.cookies);
  } catch (error) {
    return fail(error);
  }
}

// POST /account/profile: any protected, state-changing route.
export const profile = (request: Request, ip: string | null) =>
  withSession(request, ip, async (auth) => ({ body: { userId: auth.userId } }));

// POST /auth/logout: revoke, then clear every auth cookie (Max-Age=0, same attributes).
export const logout = (request: Request, ip: string | null) =>
  withSession(request, ip, async (auth) => {
    await sess.revoke(auth.sessionId);
    return { body: { ok: true }, cookies: sess.clearCookies() };
  });
