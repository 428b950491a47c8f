import { randomToken } from './util/crypto.ts';
import { isBase64url } from './util/encoding.ts';

const ID_LENGTH = 22; // 16 bytes, base64url
const SECRET_LENGTH = 43; // 32 bytes, base64url

/** A new public session handle: 128 random bits. */
export function mintSessionId(): string {
  return randomToken(16);
}

/** A new session secret: 256 random bits. */
export function mintSecret(): string {
  return randomToken(32);
}

/** Joins a session id and secret into the credential the client holds. */
export function formatCredential(id: string, secret: string): string {
  return `${id}.${secret}`;
}

/**
 * Splits a credential `<id>.<secret>` after checking its exact shape (lengths and canonical
 * base64url), so nothing malformed ever reaches the store. Returns null when it is not a credential.
 */
export function parseCredential(value: unknown): { id: string; secret: string } | null {
  if (typeof value !== 'string' || value.length !== ID_LENGTH + 1 + SECRET_LENGTH) return null;
  if (value.charCodeAt(ID_LENGTH) !== 46 /* . */) return null;
  const id = value.slice(0, ID_LENGTH);
  const secret = value.slice(ID_LENGTH + 1);
  if (!isBase64url(id) || !isBase64url(secret)) return null;
  return { id, secret };
}

/** True when `value` has the shape of a session id. */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && value.length === ID_LENGTH && isBase64url(value);
}
