import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createKeyring,
  createSessionManager,
  estimateSecretStrength,
  type SessionManagerOptions,
} from '../../src/index.ts';
import { isWeakSecret } from '../../src/jwt/weak-secrets.ts';
import { memoryStore } from '../../src/memory.ts';
import { HS_KEY, jwtOptions, SECRET } from '../helpers.ts';

const HUMAN_MADE = [
  'my-company-production-jwt-secret-2024',
  'your-256-bit-secret-your-256-bit-secret',
  // Variants: case, separators, year, punctuation, another company, a repeat with a tail.
  'My-Company-Production-JWT-Secret-2025!',
  'my_company_production_jwt_secret_2024',
  'mycompanyproductionjwtsecret2024',
  'MY-COMPANY-PRODUCTION-JWT-SECRET-2024',
  'acme-corp-prod-jwt-secret-key-2024',
  'your-256-bit-secret-your-256-bit-secret-2',
  'YOUR-256-BIT-SECRET-YOUR-256-BIT-SECRET',
  'this-is-our-super-secure-production-key-2024',
  'production-session-secret-do-not-share',
  'correct horse battery staple tangerine oboe',
];

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const random32 = () => crypto.getRandomValues(new Uint8Array(32));

function configIssues(options: Partial<SessionManagerOptions>): readonly string[] {
  try {
    createSessionManager({ store: memoryStore(), secret: SECRET, ...options });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
}

describe('human-made secrets', () => {
  it.each(HUMAN_MADE)('refuses %s as the server secret and as an HS256 key', (secret) => {
    expect(estimateSecretStrength(secret).guessable).toBe(true);
    expect(isWeakSecret(secret)).toBe(true);
    const server = configIssues({ secret });
    expect(server).toHaveLength(1);
    expect(server[0]).toMatch(/^secret: guessable \(/);
    const hs256 = configIssues({
      strategy: 'jwt',
      jwt: { ...jwtOptions, keys: [{ kid: 'k1', alg: 'HS256', secret }] },
    });
    expect(hs256).toHaveLength(1);
    expect(hs256[0]).toMatch(/^jwt\.keys: key "k1": HS256 secret /);
    expect(() => createKeyring([{ kid: 'k1', alg: 'HS256', secret }])).toThrow(ConfigError);
    for (const issue of [...server, ...hs256]) expect(issue).not.toContain(secret);
  });

  it('accepts 50 random secrets of 32 bytes, base64url and hex, in both roles', {
    timeout: 120_000,
  }, () => {
    const secrets = Array.from({ length: 25 }, () => [
      base64url(random32()),
      hex(random32()),
    ]).flat();
    for (const secret of secrets) {
      const strength = estimateSecretStrength(secret);
      expect(strength.guessable, `${strength.bits} bits, ${strength.perChar} per char`).toBe(false);
      expect(strength.bits).toBeGreaterThan(128);
    }
    // The verdicts are remembered: construction with the same secrets costs no second estimate.
    for (let i = 0; i < secrets.length; i += 2) {
      const [secret, key] = [secrets[i]!, secrets[i + 1]!];
      expect(
        configIssues({
          secret,
          strategy: 'jwt',
          jwt: { ...jwtOptions, keys: [{ kid: 'k1', alg: 'HS256', secret: key }] },
        }),
      ).toEqual([]);
    }
  });

  it('accepts random text behind a readable prefix, as the test fixtures write it', () => {
    for (const secret of [SECRET, HS_KEY, `sess_${base64url(random32())}`]) {
      expect(estimateSecretStrength(secret).guessable, secret).toBe(false);
    }
  });

  it('keeps the well-known list and the repeat check, which say more precisely what is wrong', () => {
    expect(
      configIssues({ secret: 'super-secret-jwt-token-with-at-least-32-characters-long' }),
    ).toEqual(expect.arrayContaining([expect.stringContaining('well-known example secret')]));
    expect(configIssues({ secret: 'ab'.repeat(20) })).toEqual([
      'secret: guessable (is a short pattern repeated); use at least 32 random bytes',
    ]);
  });

  it('reports a strength that holds no part of the secret', () => {
    const strength = estimateSecretStrength('my-company-production-jwt-secret-2024');
    expect(Object.keys(strength).sort()).toEqual(['bits', 'guessable', 'perChar']);
    expect(strength.bits).toBeLessThan(128);
  });
});
