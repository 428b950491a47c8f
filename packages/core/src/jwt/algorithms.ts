import { decodeBase64url } from '../util/encoding.ts';
import type { AsymmetricAlgorithm } from './key-types.ts';

/** What an asymmetric algorithm asks of a key, in JWK and in Web Crypto terms. */
export interface AlgorithmProfile {
  readonly kty: 'OKP' | 'EC' | 'RSA';
  /** The JWK curve of curve-based algorithms. */
  readonly crv?: string;
  /** The members of a public JWK: the only ones copied, imported and published. */
  readonly publicMembers: readonly ('kty' | 'crv' | 'x' | 'y' | 'n' | 'e')[];
  /** The expected key, as messages name it. */
  readonly keyName: string;
  /** Web Crypto parameters of sign and verify. */
  readonly params: AlgorithmIdentifier | EcdsaParams;
  /** Whether a CryptoKey is of this algorithm: curve, and hash for RSA (bound at import). */
  readonly fits: (key: CryptoKey) => boolean;
}

type AlgorithmFields = { name: string; namedCurve?: string; hash?: { name?: string } };
const fields = (key: CryptoKey): AlgorithmFields => key.algorithm as AlgorithmFields;

/** Every asymmetric algorithm a keyring accepts, and how its keys look. */
export const PROFILES: Readonly<Record<AsymmetricAlgorithm, AlgorithmProfile>> = {
  EdDSA: {
    kty: 'OKP',
    crv: 'Ed25519',
    publicMembers: ['kty', 'crv', 'x'],
    keyName: 'an Ed25519 key',
    params: { name: 'Ed25519' },
    fits: (key) => fields(key).name === 'Ed25519',
  },
  ES256: {
    kty: 'EC',
    crv: 'P-256',
    publicMembers: ['kty', 'crv', 'x', 'y'],
    keyName: 'a P-256 key',
    params: { name: 'ECDSA', hash: 'SHA-256' },
    fits: (key) => fields(key).name === 'ECDSA' && fields(key).namedCurve === 'P-256',
  },
  RS256: {
    kty: 'RSA',
    publicMembers: ['kty', 'n', 'e'],
    keyName: 'an RSASSA-PKCS1-v1_5 SHA-256 key',
    params: { name: 'RSASSA-PKCS1-v1_5' },
    fits: (key) => fields(key).name === 'RSASSA-PKCS1-v1_5' && fields(key).hash?.name === 'SHA-256',
  },
};

/** The smallest RSA modulus accepted, in bits (NIST SP 800-131A disallows smaller signing keys). */
export const MIN_RSA_BITS = 2048;

/**
 * Problems with RSA public parameters, worded to follow "privateKey" or "publicKey" and never
 * quoting them: a modulus under {@link MIN_RSA_BITS} bits, or a public exponent other than 65537
 * (tiny exponents are what signature forgeries against lenient PKCS#1 v1.5 verifiers need).
 */
export function rsaIssues(modulusBits: number, exponent: Uint8Array): string[] {
  const issues: string[] = [];
  if (!(modulusBits >= MIN_RSA_BITS)) {
    issues.push(`has a ${modulusBits}-bit modulus; at least ${MIN_RSA_BITS} bits are required`);
  }
  const first = exponent.findIndex((b) => b !== 0);
  const e = first < 0 ? exponent : exponent.subarray(first);
  if (e.length !== 3 || e[0] !== 1 || e[1] !== 0 || e[2] !== 1) {
    issues.push('has a public exponent other than 65537');
  }
  return issues;
}

/** {@link rsaIssues} of a JWK's `n` and `e`. */
export function rsaJwkIssues(jwk: { n?: unknown; e?: unknown }): string[] {
  const n = typeof jwk.n === 'string' ? decodeBase64url(jwk.n) : null;
  const e = typeof jwk.e === 'string' ? decodeBase64url(jwk.e) : null;
  if (!n || !e) return ['JWK needs base64url "n" and "e"'];
  const top = n.findIndex((b) => b !== 0);
  const bits = top < 0 ? 0 : (n.length - top) * 8 - Math.clz32(n[top]!) + 24;
  return rsaIssues(bits, e);
}
