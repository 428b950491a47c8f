import { createSessionManager, type KeyInput, type PublicJwk } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { describe, expect, it } from 'vitest';
import { expectClean, randomSecret, sess, tempDir, writeFile } from './support.ts';

interface Generated {
  key: KeyInput;
  publicKeyPem: string | null;
  jwks: { keys: PublicJwk[] };
}

const dir = tempDir();
const jwt = { issuer: 'https://auth.example.com', audience: 'api' };

/** Signs a token with `signing` and verifies it with `verifying`: the keys really are a pair. */
async function verifies(signing: KeyInput, verifying: KeyInput): Promise<string> {
  const store = memoryStore();
  const secret = randomSecret();
  const issuer = createSessionManager({
    store,
    secret,
    strategy: 'jwt',
    jwt: { ...jwt, keys: [signing] },
  });
  // A verifier's first key must sign, so the key under test goes second, verify-only.
  const own: KeyInput = { kid: 'verifier', alg: 'HS256', secret: randomSecret() };
  const keys = verifying === signing ? [signing] : [own, verifying];
  const verifier = createSessionManager({ store, secret, strategy: 'jwt', jwt: { ...jwt, keys } });
  const { accessToken } = await issuer.create('alice');
  return (await verifier.validate(accessToken)).userId;
}

describe('sess keygen', () => {
  it('HS256: a base64url secret of 32 random bytes, never in a JWKS', async () => {
    const run = await sess(['keygen', '--alg', 'HS256', '--kid', 'k-2026', '--json']);
    expect(run.code).toBe(0);
    const { key, jwks } = run.json<Generated>();
    expect(key).toMatchObject({ kid: 'k-2026', alg: 'HS256' });
    const secret = (key as { secret: string }).secret;
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(jwks).toEqual({ keys: [] });
    expect(await verifies(key, key)).toBe('alice');
  });

  it.each(['EdDSA', 'ES256'] as const)(
    '%s: a private JWK whose published JWKS verifies its tokens',
    async (alg) => {
      const run = await sess(['keygen', '--alg', alg, '--json']);
      expect(run.code).toBe(0);
      const { key, jwks } = run.json<Generated>();
      expect(key.kid).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{6}$/);
      expect(jwks.keys).toHaveLength(1);
      const [published] = jwks.keys;
      expect(published).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(published).not.toHaveProperty('d');
      const { kid, alg: _alg, use: _use, ...publicKey } = published!;
      expect(await verifies(key, { kid, alg, publicKey })).toBe('alice');
    },
  );

  it('writes PEM with --format pem, and refuses an unknown algorithm (exit 2)', async () => {
    const run = await sess(['keygen', '--alg', 'ES256', '--format', 'pem', '--json']);
    const { key, publicKeyPem } = run.json<Generated>();
    expect((key as { privateKey: string }).privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(await verifies(key, { kid: key.kid, alg: 'ES256', publicKey: publicKeyPem! })).toBe(
      'alice',
    );

    const human = await sess(['keygen', '--alg', 'EdDSA']);
    expect(human.stdout).toMatch(/not kept anywhere/);
    expect(human.stdout).toMatch(/Public JWKS/);

    const bad = await sess(['keygen', '--alg', 'none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--alg must be HS256, EdDSA or ES256/);
    expect((await sess(['keygen'])).code).toBe(2);
  });
});

describe('sess jwks', () => {
  it("prints the public JWKS of a config's keyring: public members only, current key first", async () => {
    const [current, previous] = await Promise.all(
      ['k2', 'k1'].map(async (kid) =>
        (await sess(['keygen', '--alg', 'EdDSA', '--kid', kid, '--json'])).json<Generated>(),
      ),
    );
    const previousPublic = { ...previous!.jwks.keys[0] };
    const config = writeFile(
      dir,
      'keys.json',
      JSON.stringify({
        environments: {
          production: {
            options: {
              secret: randomSecret(),
              strategy: 'jwt',
              jwt: {
                ...jwt,
                keys: [current!.key, { kid: 'k1', alg: 'EdDSA', publicKey: previousPublic }],
              },
            },
          },
          staging: { options: { secret: randomSecret() } },
        },
      }),
    );
    const run = await sess(['jwks', config, '--env', 'production']);
    expect(run.code).toBe(0);
    const { keys } = run.json<{ keys: PublicJwk[] }>();
    expect(keys.map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect(keys[0]).toEqual(current!.jwks.keys[0]);
    const privatePart = (current!.key as { privateKey: { d: string } }).privateKey.d;
    expectClean(run, [privatePart]);

    const ambiguous = await sess(['jwks', config, '--json']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.json()).toMatchObject({ error: { code: 'ERR_SESS_CLI_USAGE' } });
    const noKeys = await sess(['jwks', config, '--env', 'staging']);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/no jwt\.keys/);
  });

  it("prints an empty JWKS for HS256 keys, and core's issues (not the key) for a bad one", async () => {
    const secret = randomSecret();
    const hs = writeFile(
      dir,
      'hs.json',
      JSON.stringify({
        options: { secret, jwt: { ...jwt, keys: [{ kid: 'h', alg: 'HS256', secret }] } },
      }),
    );
    const run = await sess(['jwks', hs]);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ keys: [] });
    expect(run.stderr).toMatch(/never published/);
    expectClean(run, [secret]);

    const weak = 'short-hs256-secret';
    const bad = writeFile(
      dir,
      'bad-key.json',
      JSON.stringify({
        options: { secret, jwt: { ...jwt, keys: [{ kid: 'h', alg: 'HS256', secret: weak }] } },
      }),
    );
    const refused = await sess(['jwks', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/key "h": HS256 secret is 18 bytes/);
    expectClean(refused, [weak, secret]);
  });
});
