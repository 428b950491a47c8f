import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { GuaranteeApp } from './app.ts';

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

/** What a forged access token is made of; anything left out is what the server would write. */
export interface Forgery {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  /** Sign with this HS256 key instead of the app's (an attacker's key). */
  readonly key?: string;
  /** No signature at all (`alg: none`). */
  readonly unsigned?: boolean;
}

/**
 * An access token for `sub`/`sid` as the app under test would sign it (its HS256 key, `kid`,
 * issuer, audience, `typ: at+jwt`, the app's clock), with the forgery's changes on top.
 */
export async function accessToken(
  app: GuaranteeApp,
  subject: { userId: string; sessionId: string },
  forgery: Forgery = {},
): Promise<string> {
  const now = Math.floor(app.clock.now() / 1000);
  const claims = {
    iss: app.url,
    aud: app.url,
    sub: subject.userId,
    sid: subject.sessionId,
    jti: randomBytes(16).toString('base64url'),
    iat: now,
    exp: now + 60,
    ...forgery.claims,
  };
  const header = { alg: 'HS256', kid: 'k1', typ: 'at+jwt', ...forgery.header };
  if (forgery.unsigned) {
    return `${b64(JSON.stringify({ ...header, alg: 'none' }))}.${b64(JSON.stringify(claims))}.`;
  }
  const key = new TextEncoder().encode(forgery.key ?? app.jwtSecret);
  return new SignJWT(claims as Record<string, unknown>)
    .setProtectedHeader(header as { alg: string })
    .sign(key);
}
