import { timingSafeEqual } from '../util/crypto.ts';
import { utf8Decoder, utf8Encoder } from '../util/encoding.ts';

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

/**
 * Why an HMAC secret is guessable regardless of its length, or null. Catches well-known example
 * secrets (case and punctuation ignored), a short unit repeated (`aaaa…`, `secretsecret…`), and
 * PEM or JWK key material (a public key is public).
 */
export function weakSecretReason(bytes: Uint8Array): string | null {
  if (bytes.length > 1 && smallestPeriod(bytes) * 2 <= bytes.length) {
    return 'is a short pattern repeated';
  }
  let raw: string;
  try {
    raw = utf8Decoder.decode(bytes);
  } catch {
    return null; // not UTF-8, so not a word-list entry
  }
  // A public key pasted as an HMAC secret is the setup of the classic key-confusion attack.
  if (/-----BEGIN |"kty"\s*:/.test(raw)) return 'looks like a PEM or JWK key, not a random secret';
  const text = normalise(raw);
  // Config-time only, but every secret comparison is constant-time by rule: no early exit.
  let known = false;
  for (const entry of WELL_KNOWN) known = timingSafeEqual(text, entry) || known;
  return known ? 'is a well-known example secret' : null;
}

/** True when `secret` is a well-known example secret or a short pattern repeated (any length). */
export function isWeakSecret(secret: string | Uint8Array): boolean {
  return (
    weakSecretReason(typeof secret === 'string' ? utf8Encoder.encode(secret) : secret) !== null
  );
}
