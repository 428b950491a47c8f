import type { AddressInfo } from 'node:net';
import type {
  AuthRouteName,
  LoginGrant,
  LoginRefusal,
  LoginVerifier,
  RateLimiterLike,
  RateLimitOptions,
  RoutesOptions,
} from '@sess/core';
import { type GuestSession, httpStatusFor, isSessError, type SessionData } from '@sess/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';

/** What every test app needs besides its manager. */
export interface AppOptions {
  /** Limits `POST /auth/login`. */
  loginLimiter: RateLimiterLike;
  /** Limits `POST /auth/refresh`, when given. */
  refreshLimiter?: RateLimiterLike;
  /**
   * How the auth routes are mounted: the one-line mount (`auth.routes`), or each handler by hand.
   * @default 'routes'
   */
  mount?: 'routes' | 'handlers';
}

/** A running app. */
export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

const UNLIMITED = new RateLimiterMemory({ points: 1_000_000, duration: 1 });

const USERS: Record<string, { id: string; password: string }> = {
  'alice@example.com': { id: 'u-alice', password: 'alice-password-1' },
  'bob@example.com': { id: 'u-bob', password: 'bob-password-1' },
};

/** The app's own password check; sess only completes the login. */
function verify(body: Readonly<Record<string, unknown>>): LoginGrant | LoginRefusal {
  const email = typeof body.email === 'string' ? body.email : '';
  const user = Object.hasOwn(USERS, email) ? USERS[email] : undefined;
  if (!user) return { refused: 'unknown-account', account: email };
  if (body.password !== user.password) return { refused: 'bad-password', account: email };
  return { userId: user.id, body: { user: { id: user.id, email } }, carry: ['cart'] };
}

/** The cart a guest (or anyone) adds `body.item` to: the app's guest data. */
export function addToCart(body: unknown): (data: Readonly<SessionData>) => SessionData {
  const item = (body as { item?: unknown } | null)?.item;
  return (data) => ({
    ...data,
    cart: [...(Array.isArray(data.cart) ? data.cart : []), typeof item === 'string' ? item : ''],
    note: 'not carried',
  });
}

/** `GET /cart`'s body. */
export const cartBody = (guest: GuestSession | null) => ({ cart: guest?.data.cart ?? null });

/** A sess error thrown by `guest.set` as the JSON reply every app sends; anything else rethrown. */
export function guestError(error: unknown): { status: number; body: unknown } {
  if (!isSessError(error)) throw error;
  return { status: httpStatusFor(error.code), body: { error: error.toJSON() } };
}

/** The mount's options for the app's limiters. */
export function routesOptions<C>(options: AppOptions): RoutesOptions<C> {
  const limit = { login: options.loginLimiter, refresh: options.refreshLimiter ?? UNLIMITED };
  return { login: (_ctx, body) => verify(body), limit };
}

/** The auth routes written by hand, for apps that mount each handler themselves. */
export const BY_HAND = [
  ['get', '/auth/csrf', 'csrfToken'],
  ['post', '/auth/login', 'login'],
  ['post', '/auth/refresh', 'refresh'],
  ['post', '/auth/logout', 'logout'],
  ['post', '/auth/logout-all', 'logoutAll'],
  ['get', '/auth/sessions', 'listSessions'],
  ['delete', '/auth/sessions/:id', 'revokeSession'],
] as const satisfies readonly (readonly [string, string, AuthRouteName])[];

interface Handlers<M, C> extends Record<Exclude<AuthRouteName, 'login'>, M> {
  login(verify: LoginVerifier<C>): M;
  rateLimit(limiter: RateLimiterLike, options: RateLimitOptions<C>): M;
}

/** A route's handlers by hand: the limiter the mount would put first, then the handler. */
export function byHand<M, C>(auth: Handlers<M, C>, name: AuthRouteName, options: AppOptions): M[] {
  const { login, limit } = routesOptions<C>(options);
  const limiter = name === 'login' || name === 'refresh' ? limit?.[name] : undefined;
  const handler = name === 'login' ? auth.login(login) : auth[name];
  return limiter ? [auth.rateLimit(limiter, { route: name }), handler] : [handler];
}

/** Serves a Node request listener on a free loopback port. */
export async function listen(
  handler: Parameters<typeof import('node:http').createServer>[1],
): Promise<RunningApp> {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
