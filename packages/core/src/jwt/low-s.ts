import { base64url, decodeBase64url } from '../util/encoding.ts';

// ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. Issuing only the low form and
// accepting only it keeps one accepted spelling per ES256 token, as for every other algorithm.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;

function sOf(signature: Uint8Array): bigint {
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature[i] as number);
  return s;
}

/** True when an ES256 signature segment (raw r‖s, base64url) has s in the lower half. */
export function isLowS(signatureSegment: string): boolean {
  const signature = decodeBase64url(signatureSegment);
  return signature !== null && signature.length === 64 && sOf(signature) <= HALF_N;
}

/** The same ES256 compact token with its signature's s moved to the lower half. */
export function withLowS(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = decodeBase64url(token.slice(dot + 1));
  if (signature === null || signature.length !== 64) return token;
  const s = sOf(signature);
  if (s <= HALF_N) return token;
  let low = N - s;
  for (let i = 63; i >= 32; i--) {
    signature[i] = Number(low & 0xffn);
    low >>= 8n;
  }
  return `${token.slice(0, dot + 1)}${base64url(signature)}`;
}
