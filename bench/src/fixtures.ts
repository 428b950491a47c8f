import {
  type Clock,
  createSessionManager,
  describeConfig,
  type SessionManager,
  type SessionStore,
  type Strategy,
} from '@sess/core';

/** The user every benchmark authenticates as. */
export const USER = 'bench-user';

export const ISSUER = 'https://auth.bench.sess.test';
export const AUDIENCE = 'https://api.bench.sess.test';

/** The HS256 key every contender verifies with: sess, jose, jsonwebtoken and Hono's jwt alike. */
export const JWT_SECRET = 'bench-hs256-7f3a9c1e5b2d8f4a6c0e9b7d3f1a5c8e';
export const JWT_KID = 'bench-1';

/** The server secret of sess, and the cookie-signing secret of express-session. */
export const SERVER_SECRET = 'bench-server-4e8a2c6f0b9d7e1a3c5f8b2d6e0a4c7f';

const JWT = {
  keys: [{ kid: JWT_KID, alg: 'HS256' as const, secret: JWT_SECRET }],
  issuer: ISSUER,
  audience: AUDIENCE,
};

/**
 * A session manager as an application would configure it, on `store`; `clock` only for fixtures
 * made as if earlier.
 */
export function benchManager(
  store: SessionStore,
  strategy: Strategy,
  options: { tokenCacheSize?: number; clock?: Clock } = {},
): SessionManager {
  const { clock, ...jwt } = options;
  return createSessionManager({
    store,
    strategy,
    secret: SERVER_SECRET,
    jwt: { ...JWT, ...jwt },
    ...(clock ? { clock } : {}),
  });
}

/** sess's defaults in the configuration {@link benchManager} makes (caches, timeouts). */
export const DEFAULTS = describeConfig({ secret: SERVER_SECRET, strategy: 'jwt', jwt: JWT });

/** How long after its last write a standard session is written again on use (the touch). */
export const TOUCH_INTERVAL_MS = DEFAULTS.sessions.standard!.idleTimeoutMs * DEFAULTS.touchFraction;

/** A compact token with one signature character changed (mid-signature: every bit counts there). */
export function forgeSignature(token: string): string {
  const at = token.length - 10;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}
