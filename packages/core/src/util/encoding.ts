import { nativeBase64url } from './node-crypto.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export const utf8Encoder: TextEncoder = new TextEncoder();
export const utf8Decoder: TextDecoder = new TextDecoder('utf-8', { fatal: true });

/** Unpadded base64url. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict, canonical base64url decoding: only the URL-safe alphabet, no padding, no whitespace, and
 * unused trailing bits must be zero, so exactly one string decodes to a given byte sequence.
 * Returns null for anything else.
 */
export function decodeBase64url(text: string): Uint8Array | null {
  return nativeBase64url === null ? decodeBase64urlPortable(text) : nativeBase64url(text);
}

/** {@link decodeBase64url} in plain JavaScript: the path of runtimes without node:buffer. */
export function decodeBase64urlPortable(text: string): Uint8Array | null {
  const len = text.length;
  if (len % 4 === 1) return null;
  const out = new Uint8Array((len * 3) >> 2);
  const whole = len & ~3;
  let o = 0;
  // Four characters at a time; a character outside the alphabet makes the OR of its group negative.
  for (let i = 0; i < whole; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  const rest = len - whole;
  if (rest > 0) {
    const a = sextet(text, whole);
    const b = sextet(text, whole + 1);
    const c = rest === 3 ? sextet(text, whole + 2) : 0;
    if ((a | b | c) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6);
    // The bits past the last whole byte must be zero: the canonical form.
    if ((rest === 2 ? n & 0xffff : n & 0xff) !== 0) return null;
    out[o++] = n >> 16;
    if (rest === 3) out[o] = (n >> 8) & 0xff;
  }
  return out;
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? LOOKUP[code]! : -1;
}

/** True when `text` is canonical base64url as {@link decodeBase64url} defines it; allocates nothing. */
export function isBase64url(text: string): boolean {
  const len = text.length;
  if (len % 4 === 1) return false;
  let last = 0;
  for (let i = 0; i < len; i++) {
    last = sextet(text, i);
    if (last < 0) return false;
  }
  const spareBits = (len * 6) % 8;
  return (last & ((1 << spareBits) - 1)) === 0;
}
