import { base64url, utf8Encoder } from './encoding.ts';
import { adoptHmacKey, nodeCrypto, syncHmac } from './node-crypto.ts';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

// Each getRandomValues call costs a system call, several microseconds on some hosts: draw one
// block and hand it out piecewise, as Node does for randomUUID. Every byte is handed out once and
// then zeroed in the pool, so the pool never holds a value that is in use.
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let offset = 0;

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (n > POOL_BYTES / 8) return globalThis.crypto.getRandomValues(new Uint8Array(n));
  if (offset + n > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.slice(offset, offset + n);
  pool.fill(0, offset, offset + n);
  offset += n;
  return bytes;
}

/** A random token of `n` bytes, base64url encoded. */
export function randomToken(n: number): string {
  return base64url(randomBytes(n));
}

/** SHA-256 of a UTF-8 string, base64url encoded, computed at once on node:crypto; else null. */
export function sha256Sync(text: string): string | null {
  const node = nodeCrypto();
  if (node === null) return null;
  return node.hash
    ? node.hash('sha256', text, 'base64url')
    : node.createHash('sha256').update(text).digest('base64url');
}

/** SHA-256 of a UTF-8 string, base64url encoded (synchronously on node:crypto where available). */
export async function sha256(text: string): Promise<string> {
  return (
    sha256Sync(text) ??
    base64url(new Uint8Array(await subtle().digest('SHA-256', utf8Encoder.encode(text))))
  );
}

/**
 * Imports raw key material once for HMAC-SHA256 (non-extractable), and gives node:crypto its own
 * copy of the same bytes so {@link hmac} can run synchronously where node:crypto exists.
 */
export async function importHmacKey(
  raw: Uint8Array,
  usages: readonly KeyUsage[] = ['sign'],
): Promise<CryptoKey> {
  const key = await subtle().importKey(
    'raw',
    raw as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    usages as KeyUsage[],
  );
  adoptHmacKey(key, raw);
  return key;
}

/** HMAC-SHA256 of a UTF-8 string, base64url encoded (synchronously on node:crypto where available). */
export async function hmac(key: CryptoKey, text: string): Promise<string> {
  const mac = syncHmac(key);
  if (mac !== null) return mac.sign(text);
  return base64url(new Uint8Array(await subtle().sign('HMAC', key, utf8Encoder.encode(text))));
}

/** Derives an independent 256-bit sub-key from a master secret (HKDF-SHA256, labelled by purpose). */
export async function deriveKey(master: Uint8Array, purpose: string): Promise<Uint8Array> {
  const ikm = await subtle().importKey('raw', master as Uint8Array<ArrayBuffer>, 'HKDF', false, [
    'deriveBits',
  ]);
  const bits = await subtle().deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: utf8Encoder.encode(`sess/${purpose}`),
    },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Used for every comparison of a secret, a hash or a MAC.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  // Never read past either string: V8 would recompile this loop for out-of-bounds reads, and the
  // slower copy then runs every comparison in the process (one token check: 0.3 µs more).
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
