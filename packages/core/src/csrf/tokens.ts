import { ConfigError } from '../errors.ts';
import { hmac, importHmacKey, randomToken, timingSafeEqual } from '../util/crypto.ts';
import { decodeBase64url } from '../util/encoding.ts';

/** The smallest accepted CSRF key, in bytes. */
export const MIN_CSRF_KEY_BYTES = 32;

const NONCE_BYTES = 16;
const NONCE_CHARS = 22; // base64url of 16 bytes
const MAC_CHARS = 43; // base64url of an HMAC-SHA256
const TOKEN_CHARS = NONCE_CHARS + 1 + MAC_CHARS;

/** Issues and verifies CSRF tokens bound to an id. Create it with {@link createCsrfTokens}. */
export interface CsrfTokens {
  /**
   * A fresh token bound to `bindingId` (a session id, or a pre-session id for the login form):
   * `<nonce>.<HMAC-SHA256(key, "csrf|v1|" + bindingId + "|" + nonce)>`, base64url. Each call uses
   * a new random nonce, so the token differs per response (no stable secret for BREACH to extract)
   * and any number of tokens of one session stay valid together.
   */
  issue(bindingId: string): Promise<string>;
  /**
   * True when `token` was issued by this key for `bindingId`. Checks the shape and length before
   * any cryptography, compares the MAC in constant time, and never throws on any input.
   */
  verify(token: unknown, bindingId: string): Promise<boolean>;
}

/**
 * Creates the CSRF token functions for a key of at least 32 bytes, imported once. Derive the key
 * from your master secret with its own purpose label; never reuse a signing key. A promised key
 * (from `deriveKey`) is awaited on first use.
 *
 * @throws ConfigError when the key is shorter than 32 bytes (a promised key rejects on use instead).
 * @example
 * ```ts
 * const tokens = createCsrfTokens(await deriveKey(masterSecret, 'csrf'));
 * const token = await tokens.issue(session.id);
 * await tokens.verify(req.headers.get('x-csrf-token'), session.id); // true
 * ```
 */
export function createCsrfTokens(key: Uint8Array | Promise<Uint8Array>): CsrfTokens {
  const cryptoKey =
    key instanceof Promise
      ? key.then((k) => importHmacKey(checkKey(k)))
      : importHmacKey(checkKey(key));
  // Surface a key failure on first use, not as an unhandled rejection at construction.
  cryptoKey.catch(() => {});
  const mac = async (bindingId: string, nonce: string): Promise<string> =>
    hmac(await cryptoKey, `csrf|v1|${bindingId}|${nonce}`);

  return {
    async issue(bindingId) {
      if (typeof bindingId !== 'string' || bindingId.length === 0) {
        throw new TypeError('CSRF tokens need a non-empty binding id');
      }
      const nonce = randomToken(NONCE_BYTES);
      return `${nonce}.${await mac(bindingId, nonce)}`;
    },
    async verify(token, bindingId) {
      if (typeof token !== 'string' || token.length !== TOKEN_CHARS) return false;
      if (typeof bindingId !== 'string' || bindingId.length === 0) return false;
      if (token.charCodeAt(NONCE_CHARS) !== 0x2e /* . */) return false;
      const nonce = token.slice(0, NONCE_CHARS);
      const presented = token.slice(NONCE_CHARS + 1);
      // Canonical base64url only, so exactly one string is valid per (nonce, MAC).
      if (decodeBase64url(nonce) === null || decodeBase64url(presented) === null) return false;
      return timingSafeEqual(await mac(bindingId, nonce), presented);
    },
  };
}

function checkKey(key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_CSRF_KEY_BYTES) {
    throw new ConfigError([
      `CSRF key: must be a Uint8Array of at least ${MIN_CSRF_KEY_BYTES} bytes`,
    ]);
  }
  return key;
}
