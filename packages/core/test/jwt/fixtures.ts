import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, vi } from 'vitest';
import {
  type AccessClaims,
  type AccessTokenConfig,
  signAccessToken,
  verifyAccessToken,
} from '../../src/jwt/access-token.ts';
import { createKeyring, type KeyInput, type Keyring } from '../../src/jwt/keyring.ts';
import { useNodeCrypto } from '../../src/util/node-crypto.ts';

/** The two ways HS256 is computed: node:crypto (synchronous) where present, else Web Crypto. */
export const CRYPTO_PATHS = ['node:crypto', 'Web Crypto'] as const;
export type CryptoPath = (typeof CRYPTO_PATHS)[number];

/**
 * Runs `suite` once per crypto path, so every case proves the fast path and the portable one
 * alike; each run first checks that HS256 really went the way it says.
 */
export function onEachCryptoPath(suite: (path: CryptoPath) => void): void {
  describe.each(CRYPTO_PATHS)('on %s', (path) => {
    beforeAll(() => useNodeCrypto(path === 'node:crypto'));
    afterAll(() => useNodeCrypto(true));
    suite(path);
  });
}

/** How many Web Crypto HMAC operations `run` makes (0 on the node:crypto path). */
export async function webCryptoHmacCalls(run: () => Promise<unknown>): Promise<number> {
  const subtle = globalThis.crypto.subtle;
  const spies = [vi.spyOn(subtle, 'sign'), vi.spyOn(subtle, 'verify')];
  try {
    await run();
    return spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Frozen time: a whole second, so second-granular boundaries are exact. */
export const NOW = Date.parse('2026-03-01T12:00:00.000Z');
export const NOW_S = NOW / 1000;

/** 32 random-looking ASCII bytes: passes every keyring check. */
export const SECRET = 'q7Vh2Lx9Rk4Tz1Wb8Nc6Pj3Ys5Gd0Fm-';

export const config: AccessTokenConfig = {
  issuer: 'https://auth.example.test',
  audience: 'https://api.example.test',
  lifetimeMs: 900_000,
  clockSkewMs: 30_000,
  maxTokenLength: 4096,
  customClaims: ['role'],
};

export const hsRing: Keyring = createKeyring([{ kid: 'hs-1', alg: 'HS256', secret: SECRET }]);

export const HEADER = { alg: 'HS256', kid: 'hs-1', typ: 'at+jwt' } as const;

/** Valid claims at NOW, with overrides (`undefined` removes a claim). */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: config.issuer,
    aud: config.audience,
    sub: 'user-1',
    sid: 'sess-1',
    jti: 'jti-1',
    iat: NOW_S,
    exp: NOW_S + 900,
    ...overrides,
  };
  for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
  return base;
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const json = (value: object | string): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/**
 * Hand-signs a compact JWS with HMAC-SHA256 over exact header/payload text (objects are
 * JSON-stringified, strings used verbatim), so a test can forge anything jose would refuse to
 * produce, signed correctly with the real key: only the defence under test can stop it.
 */
export function forge(
  header: object | string,
  payload: object | string,
  secret: string | Buffer = SECRET,
): string {
  const input = `${b64(json(header))}.${b64(json(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export interface PemPair {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
}

/** A fresh key pair; RS256 pairs are 2048-bit with exponent 65537 unless `rsa` says otherwise. */
export function pemPair(
  alg: 'EdDSA' | 'ES256' | 'RS256',
  rsa: { modulusLength?: number; publicExponent?: number } = {},
): PemPair {
  const { privateKey, publicKey } =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048, ...rsa });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
  };
}

export function privateJwk(pem: string): JsonWebKey {
  return createPrivateKey(pem).export({ format: 'jwk' }) as JsonWebKey;
}

/** A private JWK without its private members. */
export function publicPart(jwk: JsonWebKey): JsonWebKey {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

/** Web Crypto parameters of an RS256 key. */
export const RSASSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** Signs with `signer` at NOW and verifies with `verifier`. */
export async function roundTrip(
  signer: Keyring,
  verifier: Keyring = signer,
): Promise<AccessClaims> {
  const { token } = await signAccessToken(signer, config, { sub: 'u', sid: 's', now: NOW });
  return verifyAccessToken(verifier, config, token, NOW);
}

export interface KeyringConfigError {
  code: string;
  issues: string[];
  message: string;
}

/** The ConfigError createKeyring throws for `keys` (fails the test when it does not). */
export function configError(keys: readonly KeyInput[]): KeyringConfigError {
  try {
    createKeyring(keys);
  } catch (error) {
    return error as KeyringConfigError;
  }
  return expect.fail('expected a ConfigError');
}

/** The ConfigError a keyring's load() rejects with (fails the test when it resolves). */
export function loadError(keyring: Keyring): Promise<KeyringConfigError> {
  return keyring.load().then(
    () => expect.fail('expected load() to fail'),
    (error: unknown) => error as KeyringConfigError,
  );
}

/** Asserts a rejection with the given code/reason, and that nothing of the token leaks into it. */
export async function expectRefused(
  promise: Promise<unknown>,
  expected: { reason: string } | { limit: string },
  token?: string,
): Promise<void> {
  const error = await promise.then(
    () => expect.fail('expected the token to be refused'),
    (e: unknown) => e as Error & { code: string },
  );
  const code = 'reason' in expected ? 'ERR_SESS_INVALID_CREDENTIAL' : 'ERR_SESS_EXPIRED';
  expect(error).toMatchObject({ code, ...expected });
  if (token) {
    for (const part of token.split('.').filter((p) => p.length > 8)) {
      expect(error.message).not.toContain(part);
      expect(JSON.stringify(error)).not.toContain(part);
    }
  }
}
