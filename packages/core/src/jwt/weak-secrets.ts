import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { timingSafeEqual } from '../util/crypto.ts';
import { decodeBase64url, utf8Decoder, utf8Encoder } from '../util/encoding.ts';

// Example and default secrets from tutorials, framework templates, jwt.io and public JWT
// secret word lists. Compared after normalisation, so `JWT_SECRET` and `jwt-secret` both match.
const WELL_KNOWN = [
  'secret',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'a-string-secret-at-least-256-bits-long',
  'keyboard cat',
  'changeme',
  'change-this-secret',
  'changeit',
  'password',
  'passw0rd',
  'jwt_secret',
  'jwt_secret_key',
  'your_jwt_secret',
  'your-secret-key',
  'supersecret',
  'super-secret-key',
  'my-super-secret-key',
  'shhhhh',
  'shhhhhhared-secret',
  'secretkey',
  'mysecret',
  'mysecretkey',
  'topsecret',
  's3cr3t',
  'default',
  'test',
  'development',
  'qwerty',
  '1234567890',
  'letmein',
  'insecure',
  'this-is-a-secret',
  'my-secret-key-which-should-be-changed-in-production-and-be-base64-encoded',
  // Long enough to pass the length check, and published as defaults in docs and templates.
  'super-secret-jwt-token-with-at-least-32-characters-long', // Supabase local development
  'your-super-secret-jwt-token-with-at-least-32-characters-long', // Supabase self-hosting
  '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7', // FastAPI tutorial
  'DO NOT USE THIS VALUE. INSTEAD, CREATE A COMPLEX SECRET AND KEEP IT SAFE OUTSIDE OF THE SOURCE CODE.', // NestJS docs
  'Fischl von Luftschloss Narfidort', // Elysia docs
  'reallyreallyreallyreallyverysafe', // PostgREST tutorial
  'a long, randomly-generated string stored in env', // Auth0 quickstart
  'qwertyuiopasdfghjklzxcvbnm123456',
  'abcdefghijklmnopqrstuvwxyz123456',
  'abcdefghijklmnopqrstuvwxyz012345',
].map(normalise);

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The length of the shortest unit that, repeated, spells `bytes` (KMP failure function). */
function smallestPeriod(bytes: Uint8Array): number {
  const fail = new Int32Array(bytes.length);
  for (let i = 1, k = 0; i < bytes.length; i++) {
    while (k > 0 && bytes[i] !== bytes[k]) k = fail[k - 1]!;
    if (bytes[i] === bytes[k]) k++;
    fail[i] = k;
  }
  return bytes.length - (fail[bytes.length - 1] ?? 0);
}

// A DER public key names its algorithm by OID (SubjectPublicKeyInfo), or is a PKCS#1 RSA key
// ending with the exponent 65537: a random secret contains neither by chance.
const KEY_MARKERS: readonly (readonly number[])[] = [
  [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01], // rsaEncryption
  [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], // id-ecPublicKey
  [0x06, 0x03, 0x2b, 0x65, 0x70], // Ed25519
  [0x06, 0x03, 0x2b, 0x65, 0x71], // Ed448
];
const RSA_EXPONENT = [0x02, 0x03, 0x01, 0x00, 0x01];

function isDerPublicKey(bytes: Uint8Array | null): boolean {
  if (bytes?.[0] !== 0x30) return false;
  const at = (i: number, marker: readonly number[]) => marker.every((b, j) => bytes[i + j] === b);
  if (at(bytes.length - RSA_EXPONENT.length, RSA_EXPONENT)) return true;
  for (let i = 1; i < bytes.length; i++) if (KEY_MARKERS.some((m) => at(i, m))) return true;
  return false;
}

/** What {@link estimateSecretStrength} makes of a secret. Holds no part of the secret. */
export interface SecretStrength {
  /** zxcvbn's estimate of the guesses an attacker needs, as bits (log2). */
  readonly bits: number;
  /**
   * The estimate per character, in decimal digits (log10 of the guesses over the length). zxcvbn
   * prices a character it cannot explain at 10 guesses, so random text scores about 1; words,
   * names, dates, keyboard walks and repeats score well under it.
   */
  readonly perChar: number;
  /** True when the secret looks made by a person rather than drawn at random (see below). */
  readonly guessable: boolean;
}

/** Below this estimate a secret must look random throughout (RFC 7518 wants 256-bit keys; NIST 128-bit strength). */
export const MIN_SECRET_BITS = 128;
// Random text scores 0.92-1.0 per character (3,000 samples each of base64url, base64 and hex of 32
// bytes, and of 40 random letters: see decisions.md); human-made secrets 0.45-0.87. A secret under
// MIN_SECRET_BITS must score at least RANDOM_PER_CHAR; one under WORDY_PER_CHAR is mostly words,
// however long.
const RANDOM_PER_CHAR = 0.9;
const WORDY_PER_CHAR = 0.8;
const VERDICTS = 64;

let zxcvbn: ZxcvbnFactory | undefined;
// Building the matcher's dictionaries takes ~80 ms and a check ~5 ms: build once, on first use, and
// remember the last verdicts (tests and restarts check the same few secrets again and again).
const verdicts = new Map<string, SecretStrength>();

/**
 * Estimates how guessable a secret is with zxcvbn (`@zxcvbn-ts/core` and its common dictionaries:
 * leaked passwords, diceware words, keyboard layouts), and decides whether a person made it up.
 * A secret is guessable when its estimate is under {@link MIN_SECRET_BITS} and it does not look
 * random throughout, or when it is mostly words at any length. 32 random bytes, base64url or hex,
 * always pass; `my-company-production-jwt-secret-2024` does not. Runs at configuration time only.
 *
 * @example
 * ```ts
 * estimateSecretStrength('my-company-production-jwt-secret-2024').guessable; // true
 * ```
 */
export function estimateSecretStrength(secret: string): SecretStrength {
  const known = verdicts.get(secret);
  if (known) return known;
  // l33t variants beyond 8 substitutions cost 60 ms a check and find nothing more in secrets.
  zxcvbn ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, l33tMaxSubstitutions: 8 });
  const { guessesLog10 } = zxcvbn.check(secret);
  const perChar = secret.length === 0 ? 0 : guessesLog10 / Math.min(secret.length, 256);
  const bits = guessesLog10 * Math.log2(10);
  const verdict: SecretStrength = Object.freeze({
    bits,
    perChar,
    guessable: (bits < MIN_SECRET_BITS && perChar < RANDOM_PER_CHAR) || perChar < WORDY_PER_CHAR,
  });
  if (verdicts.size >= VERDICTS) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(secret, verdict);
  return verdict;
}

/**
 * Why an HMAC secret is guessable regardless of its length, or null. Catches well-known example
 * secrets (case and punctuation ignored), a short unit repeated (`aaaa…`, `secretsecret…`), public
 * key material (PEM, JWK, DER, or DER as base64: a PEM body without its armour), and secrets a
 * person made up ({@link estimateSecretStrength}).
 */
export function weakSecretReason(bytes: Uint8Array): string | null {
  if (bytes.length > 1 && smallestPeriod(bytes) * 2 <= bytes.length) {
    return 'is a short pattern repeated';
  }
  if (isDerPublicKey(bytes)) return 'looks like a DER public key, not a random secret';
  let raw: string;
  try {
    raw = utf8Decoder.decode(bytes);
  } catch {
    return null; // not UTF-8, so not a word-list entry
  }
  // A public key pasted as an HMAC secret is the setup of the classic key-confusion attack.
  if (/-----BEGIN |"kty"\s*:/.test(raw)) return 'looks like a PEM or JWK key, not a random secret';
  const base64 = raw.replace(/[\s=]/g, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (isDerPublicKey(decodeBase64url(base64))) {
    return 'looks like a base64 DER public key, not a random secret';
  }
  const text = normalise(raw);
  // Config-time only, but every secret comparison is constant-time by rule: no early exit.
  let known = false;
  for (const entry of WELL_KNOWN) known = timingSafeEqual(text, entry) || known;
  if (known) return 'is a well-known example secret';
  return estimateSecretStrength(raw).guessable
    ? 'looks made up by a person (words, names, dates or patterns), not random'
    : null;
}

/** True when `secret` is a well-known example, a short pattern repeated or human-made (any length). */
export function isWeakSecret(secret: string | Uint8Array): boolean {
  return (
    weakSecretReason(typeof secret === 'string' ? utf8Encoder.encode(secret) : secret) !== null
  );
}
