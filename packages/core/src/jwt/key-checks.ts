import { utf8Encoder } from '../util/encoding.ts';
import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';
import { PROFILES, rsaIssues, rsaJwkIssues } from './algorithms.ts';
import { isCryptoKey, keyLabel } from './key-import.ts';
import type {
  AsymmetricAlgorithm,
  AsymmetricKeyInput,
  HmacKeyInput,
  KeyInput,
} from './key-types.ts';
import { weakSecretReason } from './weak-secrets.ts';

const MIN_HMAC_BYTES = 32;
const KID = /^[\x21-\x7e]{1,128}$/;
const PEM = {
  private: '-----BEGIN PRIVATE KEY-----',
  public: '-----BEGIN PUBLIC KEY-----',
} as const;
const PKCS1_FIX = {
  private: '`openssl pkcs8 -topk8 -nocrypt`',
  public: '`openssl rsa -RSAPublicKey_in -pubout`',
} as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const HMAC_KEYS = {
  kid: true,
  alg: true,
  secret: true,
} as const satisfies KnownOptions<HmacKeyInput>;
const ASYMMETRIC_KEYS = {
  kid: true,
  alg: true,
  privateKey: true,
  publicKey: true,
} as const satisfies KnownOptions<AsymmetricKeyInput>;

/**
 * Everything wrong with one key input that can be seen without importing it, each line naming the
 * key by kid and never quoting its material. `signs` is true for the ring's first key.
 */
export function keyIssues(key: KeyInput, signs: boolean): string[] {
  if (typeof key !== 'object' || key === null) return ['keyring: every key must be an object'];
  const where = typeof key.kid === 'string' ? keyLabel(key.kid) : 'key';
  const known =
    key.alg === 'HS256'
      ? HMAC_KEYS
      : typeof key.alg === 'string' && Object.hasOwn(PROFILES, key.alg)
        ? ASYMMETRIC_KEYS
        : { ...HMAC_KEYS, ...ASYMMETRIC_KEYS };
  const issues = unknownOptionIssues(key, known).map((issue) => `${where}: ${issue}`);
  if (typeof key.kid !== 'string' || !KID.test(key.kid)) {
    issues.push(`${where}: kid must be 1-128 printable ASCII characters without spaces`);
  }
  if (key.alg === 'HS256') {
    issues.push(...hmacIssues(key.secret, signs).map((issue) => `${where}: HS256 secret ${issue}`));
  } else if (typeof key.alg === 'string' && Object.hasOwn(PROFILES, key.alg)) {
    issues.push(...asymmetricIssues(key, signs).map((issue) => `${where}: ${issue}`));
  } else {
    issues.push(`${where}: alg must be one of HS256, ${Object.keys(PROFILES).join(', ')}`);
  }
  return issues;
}

function hmacIssues(secret: unknown, signs: boolean): string[] {
  if (isCryptoKey(secret)) {
    const algorithm = secret.algorithm as HmacKeyAlgorithm;
    const issues: string[] = [];
    if (algorithm.name !== 'HMAC' || algorithm.hash?.name !== 'SHA-256') {
      issues.push('CryptoKey must be an HMAC SHA-256 key');
    } else if (algorithm.length < MIN_HMAC_BYTES * 8) {
      issues.push(
        `CryptoKey is ${algorithm.length} bits; at least ${MIN_HMAC_BYTES * 8} are required`,
      );
    }
    if (!secret.usages.includes('verify') || (signs && !secret.usages.includes('sign'))) {
      issues.push(`CryptoKey must allow ${signs ? '"sign" and ' : ''}"verify"`);
    }
    return issues;
  }
  const bytes =
    typeof secret === 'string'
      ? utf8Encoder.encode(secret)
      : secret instanceof Uint8Array
        ? secret
        : null;
  if (!bytes) return ['must be a string, a Uint8Array or a CryptoKey'];
  const issues: string[] = [];
  if (bytes.length < MIN_HMAC_BYTES) {
    issues.push(`is ${bytes.length} bytes; at least ${MIN_HMAC_BYTES} random bytes are required`);
  }
  const weak = weakSecretReason(bytes);
  if (weak) issues.push(`${weak}; generate at least ${MIN_HMAC_BYTES} random bytes`);
  return issues;
}

function asymmetricIssues(key: AsymmetricKeyInput, signs: boolean): string[] {
  const issues: string[] = [];
  if (key.privateKey === undefined) {
    if (signs) issues.push('the first key signs, so it needs a privateKey');
    if (key.publicKey === undefined) issues.push('needs a privateKey or a publicKey');
  } else {
    issues.push(...partIssues(key.alg, key.privateKey, 'private').map((i) => `privateKey ${i}`));
    if (isCryptoKey(key.privateKey) && !key.privateKey.extractable && key.publicKey === undefined) {
      issues.push('privateKey is a non-extractable CryptoKey, so publicKey is required');
    }
  }
  if (key.publicKey !== undefined) {
    issues.push(...partIssues(key.alg, key.publicKey, 'public').map((i) => `publicKey ${i}`));
  }
  return issues;
}

// PEM is only recognised here; its size and exponent are checked once imported (see key-import).
function partIssues(alg: AsymmetricAlgorithm, part: unknown, kind: 'private' | 'public'): string[] {
  const profile = PROFILES[alg];
  if (typeof part === 'string') {
    if (part.trimStart().startsWith(PEM[kind])) return [];
    const pkcs1 = part.includes('-----BEGIN RSA') ? `; convert PKCS#1 with ${PKCS1_FIX[kind]}` : '';
    return [`must be PEM starting with ${PEM[kind]}${pkcs1}`];
  }
  if (isCryptoKey(part)) {
    const issues: string[] = [];
    if (part.type !== kind) issues.push(`is a ${part.type} CryptoKey`);
    if (!profile.fits(part)) issues.push(`CryptoKey is not ${profile.keyName}`);
    else if (profile.kty === 'RSA') {
      const { modulusLength, publicExponent } = part.algorithm as RsaHashedKeyAlgorithm;
      issues.push(...rsaIssues(modulusLength, publicExponent));
    }
    if (kind === 'public' && !part.extractable) issues.push('CryptoKey must be extractable');
    return issues;
  }
  if (typeof part !== 'object' || part === null) return ['must be PEM text, a JWK or a CryptoKey'];
  const jwk = part as JsonWebKey;
  const issues: string[] = [];
  if (jwk.kty !== profile.kty || (profile.crv !== undefined && jwk.crv !== profile.crv)) {
    const crv = profile.crv ? ` and crv "${profile.crv}"` : '';
    issues.push(`JWK must have kty "${profile.kty}"${crv}`);
  } else if (profile.kty === 'RSA') {
    issues.push(...rsaJwkIssues(jwk));
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) issues.push(`JWK alg must be "${alg}"`);
  if (kind === 'private' && typeof jwk.d !== 'string') issues.push('JWK has no private part ("d")');
  const secret = kind === 'public' && PRIVATE_MEMBERS.find((member) => jwk[member] !== undefined);
  if (secret) issues.push(`JWK contains a private part ("${secret}")`);
  return issues;
}
