import { ConfigError } from '../errors.ts';
import { hmac, importHmacKey, randomToken, timingSafeEqual } from '../util/crypto.ts';

/** The smallest accepted CSRF key, in bytes. */
export const MIN_CSRF_KEY_BYTES = 32;

const NONCE_BYTES = 16;
// base64url of a 16-byte nonce, a dot, base64url of an HMAC-SHA256. Checked before any crypto so
// junk costs no HMAC; canonical encoding needs no check since the MAC is compared as a string.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

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
 * Creates the CSRF token functions for a key of at least 32 bytes, imported once. Use a key that
 * serves nothing else (the session manager derives its own from `secret`); never reuse a signing
 * key. A promised key is awaited on first use.
 *
 * @throws ConfigError when the key is shorter than 32 bytes (a promised key rejects on use instead).
 * @example
 * ```ts
 * const tokens = createCsrfTokens(csrfKey); // 32+ secret bytes, used for nothing else
 * const token = await tokens.issue(session.id);
 * await tokens.verify(req.headers.get('x-csrf-token'), session.id); // true
 * ```
 */
export function createCsrfTokens(key: Uint8Array | Promise<Uint8Array>): CsrfTokens {
  const cryptoKey =
    key instanceof Uint8Array
      ? importHmacKey(checkKey(key))
      : Promise.resolve(key).then((k) => importHmacKey(checkKey(k)));
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
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
      if (typeof bindingId !== 'string' || bindingId.length === 0) return false;
      const dot = token.indexOf('.');
      return timingSafeEqual(await mac(bindingId, token.slice(0, dot)), token.slice(dot + 1));
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
