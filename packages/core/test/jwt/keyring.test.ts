import { webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../src/jwt/access-token.ts';
import { createKeyring, type Keyring } from '../../src/jwt/keyring.ts';
import { isWeakSecret } from '../../src/jwt/weak-secrets.ts';
import {
  config,
  configError,
  NOW,
  pemPair,
  privateJwk,
  publicPart,
  RSASSA,
  roundTrip,
  SECRET,
} from './fixtures.ts';

describe('createKeyring: HS256 secrets', () => {
  it('refuses key material (PEM or JWK text) as an HMAC secret: the key-confusion setup', async () => {
    const { publicKey } = await webcrypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['sign', 'verify'],
    );
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', publicKey)).toString(
      'base64',
    );
    const pem = `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`;
    const jwk = JSON.stringify(await webcrypto.subtle.exportKey('jwk', publicKey));
    for (const secret of [pem, jwk]) {
      expect(isWeakSecret(secret)).toBe(true);
      expect(() => createKeyring([{ kid: 'k', alg: 'HS256', secret }])).toThrow(/PEM or JWK/);
    }
  });

  it.each([
    ['too short', 'Zq8#pW2!'],
    ['31 bytes', SECRET.slice(0, 31)],
    ['a well-known secret', 'secret'],
    ['jwt.io example secret (long enough, still known)', 'a-string-secret-at-least-256-bits-long'],
    ['a known secret in other case and punctuation', 'YOUR_256_BIT_SECRET'],
    ['keyboard cat', 'keyboard cat'],
    ['one character repeated', 'a'.repeat(64)],
    ['a word repeated to length', 'secret'.repeat(6)],
    ['a 16-byte block repeated', 'Zq8#pW2!Lm4$Tx7&Zq8#pW2!Lm4$Tx7&'],
    ['32 zero bytes', new Uint8Array(32)],
  ])('refuses %s', (_, secret) => {
    const error = configError([{ kid: 'k', alg: 'HS256', secret }]);
    expect(error.code).toBe('ERR_SESS_CONFIG');
    expect(error.issues.every((issue) => issue.startsWith('key "k": HS256 secret'))).toBe(true);
  });

  it('lists every problem of every key in one ConfigError, naming kids and never secrets', () => {
    const secrets = ['keyboard cat', 'a-string-secret-at-least-256-bits-long', 'x'.repeat(40)];
    const error = configError([
      { kid: 'one', alg: 'HS256', secret: secrets[0]! },
      { kid: 'two', alg: 'HS256', secret: secrets[1]! },
      { kid: 'three', alg: 'HS256', secret: secrets[2]! },
      { kid: 'two', alg: 'HS256', secret: SECRET },
      { kid: 'bad kid', alg: 'HS256', secret: SECRET },
      { kid: 'five', alg: 'PS256' as 'HS256', secret: SECRET },
    ]);
    expect(error.issues).toEqual([
      'key "one": HS256 secret is 12 bytes; at least 32 random bytes are required',
      'key "one": HS256 secret is a well-known example secret; generate at least 32 random bytes',
      'key "two": HS256 secret is a well-known example secret; generate at least 32 random bytes',
      'key "three": HS256 secret is a short pattern repeated; generate at least 32 random bytes',
      'key "two": duplicate kid',
      'key "bad kid": kid must be 1-128 printable ASCII characters without spaces',
      'key "five": alg must be one of HS256, EdDSA, ES256, RS256',
    ]);
    for (const secret of [...secrets, SECRET]) expect(error.message).not.toContain(secret);
  });

  it('refuses an empty ring', () => {
    expect(configError([]).issues).toEqual(['keyring: at least one key is required']);
  });

  it('accepts 32 random bytes and a random base64url string', async () => {
    const bytes = webcrypto.getRandomValues(new Uint8Array(32));
    await expect(
      roundTrip(createKeyring([{ kid: 'b', alg: 'HS256', secret: bytes }])),
    ).resolves.toBeTruthy();
    await expect(
      roundTrip(createKeyring([{ kid: 's', alg: 'HS256', secret: SECRET }])),
    ).resolves.toBeTruthy();
  });

  it("copies the secret: changing the caller's bytes later changes nothing", async () => {
    const bytes = webcrypto.getRandomValues(new Uint8Array(32));
    const original = createKeyring([{ kid: 'b', alg: 'HS256', secret: bytes.slice() }]);
    const ring = createKeyring([{ kid: 'b', alg: 'HS256', secret: bytes }]);
    bytes.fill(7);
    await expect(roundTrip(ring, original)).resolves.toBeTruthy();
  });

  it('accepts an HMAC CryptoKey and refuses a short one', async () => {
    const hmac = (length: number) =>
      webcrypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length }, false, [
        'sign',
        'verify',
      ]);
    await expect(
      roundTrip(createKeyring([{ kid: 'c', alg: 'HS256', secret: await hmac(256) }])),
    ).resolves.toBeTruthy();
    expect(configError([{ kid: 'c', alg: 'HS256', secret: await hmac(128) }]).issues).toEqual([
      'key "c": HS256 secret CryptoKey is 128 bits; at least 256 are required',
    ]);
  });

  it('isWeakSecret agrees with the keyring', () => {
    expect(isWeakSecret('Keyboard-Cat')).toBe(true);
    expect(isWeakSecret('ab'.repeat(20))).toBe(true);
    expect(isWeakSecret(SECRET)).toBe(false);
  });
});

describe('createKeyring: asymmetric keys', () => {
  it.each(['EdDSA', 'ES256', 'RS256'] as const)(
    'round-trips %s from PEM, JWK and CryptoKey inputs',
    async (alg) => {
      const pair = pemPair(alg);
      const jwk = privateJwk(pair.privatePem);
      const publicJwk = publicPart(jwk);
      const params = {
        EdDSA: { name: 'Ed25519' },
        ES256: { name: 'ECDSA', namedCurve: 'P-256' },
        RS256: RSASSA,
      }[alg];
      const cryptoKey = (extractable: boolean) =>
        webcrypto.subtle.importKey('jwk', jwk, params, extractable, ['sign']);
      const signers = [
        createKeyring([{ kid: 'pem', alg, privateKey: pair.privatePem }]),
        createKeyring([{ kid: 'pem', alg, privateKey: jwk, publicKey: pair.publicPem }]),
        createKeyring([{ kid: 'pem', alg, privateKey: await cryptoKey(true) }]),
        createKeyring([
          { kid: 'pem', alg, privateKey: await cryptoKey(false), publicKey: publicJwk },
        ]),
      ];
      expect(configError([{ kid: 'pem', alg, privateKey: await cryptoKey(false) }]).issues).toEqual(
        ['key "pem": privateKey is a non-extractable CryptoKey, so publicKey is required'],
      );
      const verifyOnly = createKeyring([
        { kid: 'other', alg: 'HS256', secret: SECRET },
        { kid: 'pem', alg, publicKey: publicJwk },
      ]);
      for (const signer of signers) {
        await expect(roundTrip(signer)).resolves.toMatchObject({ sub: 'u' });
        await expect(roundTrip(signer, verifyOnly)).resolves.toMatchObject({ sub: 'u' });
      }
    },
  );

  it('refuses a signing key without a private part, and mismatched JWKs, synchronously', () => {
    const pair = pemPair('EdDSA');
    const jwk = privateJwk(pair.privatePem);
    expect(
      configError([
        { kid: 'a', alg: 'EdDSA', publicKey: pair.publicPem },
        { kid: 'b', alg: 'ES256', privateKey: jwk },
        { kid: 'c', alg: 'EdDSA', publicKey: jwk },
        { kid: 'd', alg: 'EdDSA', privateKey: pair.publicPem },
        { kid: 'e', alg: 'EdDSA' },
      ]).issues,
    ).toEqual([
      'key "a": the first key signs, so it needs a privateKey',
      'key "b": privateKey JWK must have kty "EC" and crv "P-256"',
      'key "c": publicKey JWK contains a private part ("d")',
      'key "d": privateKey must be PEM starting with -----BEGIN PRIVATE KEY-----',
      'key "e": needs a privateKey or a publicKey',
    ]);
  });

  it('refuses, on load, a publicKey that belongs to another pair', async () => {
    const ring = createKeyring([
      {
        kid: 'x',
        alg: 'ES256',
        privateKey: pemPair('ES256').privatePem,
        publicKey: pemPair('ES256').publicPem,
      },
    ]);
    await expect(ring.load()).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
      issues: ['key "x": publicKey does not match privateKey'],
    });
  });

  it('refuses, on load, PEM that does not parse, without quoting it', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nTk9UQUtFWQ==\n-----END PRIVATE KEY-----';
    const ring = createKeyring([{ kid: 'x', alg: 'EdDSA', privateKey: pem }]);
    const error = (await ring.load().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ issues: ['key "x": privateKey could not be imported as EdDSA'] });
    expect(error.message).not.toContain('Tk9UQUtFWQ');
    // The failure is memoised and reported again, never turned into a pass.
    await expect(
      signAccessToken(ring, config, { sub: 'u', sid: 's', now: NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
  });
});

describe('rotation', () => {
  it('verifies tokens of the previous key, and stops once it leaves the ring', async () => {
    const old = pemPair('EdDSA');
    const next = pemPair('ES256');
    const before = createKeyring([{ kid: '2026-01', alg: 'EdDSA', privateKey: old.privatePem }]);
    const during = createKeyring([
      { kid: '2026-02', alg: 'ES256', privateKey: next.privatePem },
      { kid: '2026-01', alg: 'EdDSA', publicKey: old.publicPem },
    ]);
    const after = createKeyring([{ kid: '2026-02', alg: 'ES256', privateKey: next.privatePem }]);
    const { token } = await signAccessToken(before, config, { sub: 'u', sid: 's', now: NOW });
    await expect(verifyAccessToken(during, config, token, NOW)).resolves.toMatchObject({
      sub: 'u',
    });
    await expect(verifyAccessToken(after, config, token, NOW)).rejects.toMatchObject({
      reason: 'malformed',
    });
    await expect(roundTrip(during, after)).resolves.toBeTruthy();
    expect(during.currentKid).toBe('2026-02');
  });
});

describe('jwks', () => {
  it('publishes only public parts of asymmetric keys, usable by a third party', async () => {
    const ed = pemPair('EdDSA');
    const ec = pemPair('ES256');
    const ring = createKeyring([
      { kid: 'ed', alg: 'EdDSA', privateKey: ed.privatePem },
      { kid: 'hs', alg: 'HS256', secret: SECRET },
      { kid: 'ec', alg: 'ES256', privateKey: privateJwk(ec.privatePem) },
    ]);
    const jwks = await ring.jwks();
    expect(jwks.keys.map((k) => [k.kid, k.alg, k.use, k.kty, k.crv])).toEqual([
      ['ed', 'EdDSA', 'sig', 'OKP', 'Ed25519'],
      ['ec', 'ES256', 'sig', 'EC', 'P-256'],
    ]);
    for (const key of jwks.keys) expect(Object.keys(key).sort()).not.toContain('d');
    expect(JSON.stringify(jwks)).not.toContain(Buffer.from(SECRET).toString('base64url'));

    const { token } = await signAccessToken(ring, config, { sub: 'u', sid: 's', now: NOW });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      currentDate: new Date(NOW),
    });
    expect(payload.sub).toBe('u');

    jwks.keys[0]!.kid = 'mutated';
    expect((await ring.jwks()).keys[0]!.kid).toBe('ed');
  });

  it('is empty for an HS256-only ring', async () => {
    await expect(
      createKeyring([{ kid: 'hs', alg: 'HS256', secret: SECRET }]).jwks(),
    ).resolves.toEqual({ keys: [] });
  });
});

describe('no secret leaks from the keyring object', () => {
  const ed = pemPair('EdDSA');
  const bytes = webcrypto.getRandomValues(new Uint8Array(32));
  const rings = {
    string: [createKeyring([{ kid: 'k1', alg: 'HS256', secret: SECRET }]), [SECRET]],
    bytes: [
      createKeyring([{ kid: 'k1', alg: 'HS256', secret: bytes }]),
      [Buffer.from(bytes).toString('base64'), Buffer.from(bytes).toString('hex')],
    ],
    pem: [
      createKeyring([{ kid: 'k1', alg: 'EdDSA', privateKey: ed.privatePem }]),
      [ed.privatePem.split('\n')[1]!, privateJwk(ed.privatePem).d!],
    ],
  } as const;

  it.each(Object.entries(rings))(
    'JSON.stringify and util.inspect of a %s keyring show kids and algs only',
    async (_, [ring, secrets]) => {
      await ring.load();
      const outputs = [
        JSON.stringify(ring),
        inspect(ring, { depth: 10, showHidden: true }),
        String(Object.values(ring)),
      ];
      for (const output of outputs)
        for (const secret of secrets) expect(output).not.toContain(secret);
      expect(JSON.parse(JSON.stringify(ring))).toEqual({
        currentKid: 'k1',
        keys: [{ kid: 'k1', alg: ring.keys[0]!.alg }],
      });
      expect(inspect(ring)).toBe(`Keyring ${JSON.stringify(ring)}`);
    },
  );

  it('is frozen, and a look-alike object is refused', async () => {
    const ring = rings.string[0];
    expect(Object.isFrozen(ring)).toBe(true);
    const fake = { ...ring } as Keyring;
    await expect(
      signAccessToken(fake, config, { sub: 'u', sid: 's', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
  });
});
