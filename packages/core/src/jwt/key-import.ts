import { exportJWK, importJWK, importPKCS8, importSPKI } from 'jose';
import { ConfigError } from '../errors.ts';
import { importHmacKey, randomBytes } from '../util/crypto.ts';
import { utf8Encoder } from '../util/encoding.ts';
import { PROFILES, rsaJwkIssues } from './algorithms.ts';
import type {
  AsymmetricKeyInput,
  HmacKeyInput,
  KeyAlgorithm,
  KeyInput,
  PublicJwk,
} from './key-types.ts';

/** One imported key. `signKey` is null for a verify-only key; `publicJwk` for asymmetric keys. */
export interface LoadedKey {
  readonly kid: string;
  readonly alg: KeyAlgorithm;
  readonly signKey: CryptoKey | null;
  readonly verifyKey: CryptoKey;
  readonly publicJwk: Readonly<PublicJwk> | null;
}

/** A problem found while importing, already worded for a ConfigError (no key material). */
class KeyIssue extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

/** How messages name a key: by kid (never its material), quoted and bounded. */
export function keyLabel(kid: string): string {
  return `key ${JSON.stringify(kid.slice(0, 64))}`;
}

/** True for a Web Crypto key (guarded: not every runtime exposes the global). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

/** Imports every key; one ConfigError lists all that fail. Inputs are already validated. */
export async function loadKeys(keys: readonly KeyInput[]): Promise<ReadonlyMap<string, LoadedKey>> {
  const results = await Promise.allSettled(
    keys.map((key) => (key.alg === 'HS256' ? loadHmac(key) : loadAsymmetric(key))),
  );
  const issues = results.flatMap((r) => (r.status === 'rejected' ? issuesOf(r.reason) : []));
  if (issues.length > 0) throw new ConfigError(issues);
  return new Map(
    results.map((r) => {
      const key = (r as PromiseFulfilledResult<LoadedKey>).value;
      return [key.kid, key];
    }),
  );
}

function issuesOf(reason: unknown): readonly string[] {
  // Anything else would be a bug here; its message could quote key material, so never forward it.
  return reason instanceof KeyIssue ? reason.issues : ['keyring: a key could not be imported'];
}

async function step<T>(kid: string, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch {
    throw new KeyIssue([`${keyLabel(kid)}: ${what}`]);
  }
}

async function loadHmac({ kid, alg, secret }: HmacKeyInput): Promise<LoadedKey> {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    return { kid, alg, signKey: secret, verifyKey: secret, publicJwk: null };
  }
  // A private copy, wiped once imported: the CryptoKey is non-extractable.
  const raw = typeof secret === 'string' ? utf8Encoder.encode(secret) : secret.slice();
  const key = await step(kid, 'HS256 secret could not be imported', () =>
    importHmacKey(raw, ['sign', 'verify']),
  );
  raw.fill(0);
  return { kid, alg, signKey: key, verifyKey: key, publicJwk: null };
}

async function loadAsymmetric(key: AsymmetricKeyInput): Promise<LoadedKey> {
  const { kid, alg, privateKey, publicKey } = key;
  const profile = PROFILES[alg];
  let signKey: CryptoKey | null = null;
  let privateJwk: JsonWebKey | null = null;
  if (privateKey !== undefined) {
    [signKey, privateJwk] = await step(
      kid,
      `privateKey could not be imported as ${alg}`,
      async () => {
        if (isCryptoKey(privateKey)) {
          return [privateKey, privateKey.extractable ? await exportJWK(privateKey) : null] as const;
        }
        const jwk =
          typeof privateKey === 'string'
            ? await exportJWK(await importPKCS8(privateKey, alg, { extractable: true }))
            : privateKey;
        return [(await importJWK(jwk, alg, { extractable: false })) as CryptoKey, jwk] as const;
      },
    );
  }
  const publicJwk = await step(kid, `publicKey could not be imported as ${alg}`, async () => {
    const source =
      publicKey === undefined
        ? privateJwk!
        : typeof publicKey === 'string'
          ? await exportJWK(await importSPKI(publicKey, alg, { extractable: true }))
          : isCryptoKey(publicKey)
            ? await exportJWK(publicKey)
            : publicKey;
    const jwk: JsonWebKey = {};
    for (const member of profile.publicMembers) {
      if (source[member] !== undefined) jwk[member] = source[member];
    }
    return jwk;
  });
  if (profile.kty === 'RSA') {
    // PEM is opaque until imported: this is where its size and exponent are first seen.
    const part = publicKey === undefined ? 'privateKey' : 'publicKey';
    const issues = rsaJwkIssues(publicJwk);
    if (issues.length > 0) throw new KeyIssue(issues.map((i) => `${keyLabel(kid)}: ${part} ${i}`));
  }
  const verifyKey = await step(kid, `publicKey could not be imported as ${alg}`, async () => {
    return (await importJWK(publicJwk, alg)) as CryptoKey;
  });
  if (signKey) {
    // Catches a publicKey from another pair, or a private JWK whose public members do not match it.
    const signer = signKey;
    const challenge = randomBytes(32) as Uint8Array<ArrayBuffer>;
    const matches = await step(kid, 'privateKey cannot sign with this alg', async () => {
      const signature = await globalThis.crypto.subtle.sign(profile.params, signer, challenge);
      return globalThis.crypto.subtle.verify(profile.params, verifyKey, signature, challenge);
    });
    if (!matches) throw new KeyIssue([`${keyLabel(kid)}: publicKey does not match privateKey`]);
  }
  return {
    kid,
    alg,
    signKey,
    verifyKey,
    publicJwk: Object.freeze({ ...publicJwk, kid, alg, use: 'sig' }),
  };
}
