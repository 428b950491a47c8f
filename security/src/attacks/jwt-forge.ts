import { createHmac, sign as cryptoSign, type KeyObject, type webcrypto } from 'node:crypto';
import type { SessionManager } from '@sess/core';

/** Unpadded base64url of bytes or of a string's UTF-8. */
export function b64u(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The base64url segment of a JSON value (or of raw text, taken as is). */
export function segment(value: unknown): string {
  return b64u(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A compact JWS's three parts, decoded. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly parts: readonly [header: string, payload: string, signature: string];
  readonly signature: Buffer;
}

/** Decodes a compact JWS without checking anything. */
export function decodeJwt(token: string): DecodedJwt {
  const [h = '', p = '', s = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    parts: [h, p, s],
    signature: Buffer.from(s, 'base64url'),
  };
}

/** `header.payload.signature` from JSON values (or pre-encoded segments) and a signature. */
export function compact(header: unknown, payload: unknown, signature: Uint8Array | string): string {
  const sig = typeof signature === 'string' ? signature : b64u(signature);
  return `${segment(header)}.${segment(payload)}.${sig}`;
}

/** An HS256 token signed with raw key bytes (what an attacker who guessed or derived a key does). */
export function signHs256(header: unknown, payload: unknown, key: Uint8Array | string): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

// The demo's HS256 key is random per start and held as a non-extractable CryptoKey: to mint tokens
// an attacker could never mint (to test what the verifier does with a *valid* signature on a bad
// header or bad claims), the tests sign with that key through the keyring's internal state. It is
// the same module instance the manager uses (vitest resolves @sess/core to these sources), loaded
// by URL so that this package's typecheck does not compile core's sources (they need the DOM lib).
const KEYRING_MODULE = new URL('../../../packages/core/src/jwt/keyring.ts', import.meta.url).href;

/** The part of core's internal keyring module used here. */
interface KeyringInternals {
  keyringState(keyring: unknown): {
    readonly currentKid: string;
    load(): Promise<
      ReadonlyMap<string, { readonly alg: string; readonly signKey: webcrypto.CryptoKey | null }>
    >;
  };
}

/** Signs an exact signing input with the demo's own current key (HS256). */
export type InsiderSigner = (signingInput: string) => Promise<string>;

/**
 * A signer holding the manager's current HS256 key: `mint(header, payload)` returns a token whose
 * signature is valid, so only the header and claim checks stand between it and acceptance.
 */
export async function insiderSigner(sess: SessionManager): Promise<{
  readonly kid: string;
  readonly signInput: InsiderSigner;
  mint(header: unknown, payload: unknown): Promise<string>;
}> {
  if (sess.keyring === null) throw new Error('insiderSigner: the manager has no keyring');
  const { keyringState } = (await import(/* @vite-ignore */ KEYRING_MODULE)) as KeyringInternals;
  const state = keyringState(sess.keyring);
  const key = (await state.load()).get(state.currentKid);
  if (!key?.signKey || key.alg !== 'HS256') throw new Error('insiderSigner: not an HS256 signer');
  const signKey = key.signKey;
  const signInput: InsiderSigner = async (input) => {
    const mac = await crypto.subtle.sign('HMAC', signKey, new TextEncoder().encode(input));
    return `${input}.${b64u(new Uint8Array(mac))}`;
  };
  return {
    kid: state.currentKid,
    signInput,
    mint: (header, payload) => signInput(`${segment(header)}.${segment(payload)}`),
  };
}

/**
 * Another spelling of the same bytes: sets the unused low bits of the last base64url character
 * (a lenient decoder reads the same bytes; a canonical one refuses). Null when none are unused.
 */
export function nonCanonical(text: string): string | null {
  const spare = (text.length * 6) % 8;
  if (spare === 0) return null;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(text.at(-1) ?? '');
  return text.slice(0, -1) + alphabet[last | ((1 << spare) - 1)];
}

/** Standard base64 (`+`, `/`, `=` padding) of a base64url segment's bytes. */
export function standardBase64(text: string): string {
  return Buffer.from(text, 'base64url').toString('base64');
}

/** A segment with `=` padding (to a multiple of four, or one `=` when it needs none). */
export function padded(text: string): string {
  return text + '='.repeat((4 - (text.length % 4)) % 4 || 1);
}

/** A JWS signed with an asymmetric key the attacker holds (node:crypto, JOSE signature encodings). */
export function signAsymmetric(
  alg: 'EdDSA' | 'ES256' | 'RS256',
  header: unknown,
  payload: unknown,
  privateKey: KeyObject,
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'EdDSA'
      ? cryptoSign(null, data, privateKey)
      : alg === 'ES256'
        ? cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        : cryptoSign('sha256', data, privateKey);
  return `${input}.${b64u(signature)}`;
}

/** The order of the P-256 group: `(r, n - s)` verifies wherever `(r, s)` does. */
export const P256_ORDER = BigInt(
  '0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551',
);

/** A 32-byte big-endian encoding of a non-negative integer below 2^256. */
export function be32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}
