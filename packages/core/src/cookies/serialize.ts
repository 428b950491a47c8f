import { serialize } from 'cookie';
import { CookieTooLargeError } from '../errors.ts';
import { utf8Encoder } from '../util/encoding.ts';
import type { CookieInstruction } from './types.ts';

/** The largest `Set-Cookie` value sess emits, in bytes (the RFC 6265 minimum browsers must store). */
export const MAX_COOKIE_BYTES = 4096;

/**
 * Serialises an instruction into a `Set-Cookie` header value with the `cookie` library.
 *
 * The whole serialised header (name, value and attributes) must fit in {@link MAX_COOKIE_BYTES}:
 * browsers silently drop or truncate larger cookies, so an oversized one is an error here instead
 * of a logout nobody can explain.
 *
 * @throws CookieTooLargeError above 4096 bytes (the error names the cookie, never its value).
 * @example
 * ```ts
 * res.append('Set-Cookie', serializeCookie(sessionCookie(cookies, credential, 8 * 3600)));
 * ```
 */
export function serializeCookie(instruction: CookieInstruction): string {
  const header = serialize(instruction.name, instruction.value, instruction.options);
  // Values are percent-encoded by the library, so the header is ASCII unless a name or path is not.
  const size = utf8Encoder.encode(header).byteLength;
  if (size > MAX_COOKIE_BYTES) throw new CookieTooLargeError(instruction.name, size);
  return header;
}
