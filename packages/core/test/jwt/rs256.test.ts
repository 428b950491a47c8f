import { constants, createPublicKey, sign, webcrypto } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../src/jwt/access-token.ts';
import { createKeyring, type KeyInput } from '../../src/jwt/keyring.ts';
import {
  b64,
  claims,
  config,
  configError,
  expectRefused,
  forge,
  type KeyringConfigError,
  loadError,
  NOW,
  pemPair,
  privateJwk,
  publicPart,
  RSASSA,
  roundTrip,
  SECRET,
} from './fixtures.ts';

// One 2048-bit pair for the file: generating RSA keys is the slow part.
const rsa = pemPair('RS256');
const rsaJwk = privateJwk(rsa.privatePem);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const RS_HEADER = { alg: 'RS256', kid: 'rs', typ: 'at+jwt' } as const;
const RS_INPUT: KeyInput = { kid: 'rs', alg: 'RS256', privateKey: rsa.privatePem };
const rsRing = createKeyring([RS_INPUT]);
const verify = (token: string) => verifyAccessToken(rsRing, config, token, NOW);

const generate = (modulusLength: number, hash = 'SHA-256', name: string = RSASSA.name) =>
  webcrypto.subtle.generateKey(
    { name, hash, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) },
    false,
    ['sign', 'verify'],
  );

/** Hand-signs with the RSA private key under any RSA JWS algorithm, as an attacker holding it could. */
function signRsa(header: object, alg: 'RS256' | 'RS384' | 'RS512' | 'PS256'): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims()))}`;
  const pss = alg === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
  const signature = sign(`sha${alg.slice(2)}`, Buffer.from(input), { key: rsa.privateKey, ...pss });
  return `${input}.${signature.toString('base64url')}`;
}

/** Fails when any issue quotes the key: its modulus, a private member, or a line of its PEM. */
function expectNoKeyMaterial(error: KeyringConfigError, jwk: JsonWebKey, pem?: string): void {
  const text = `${error.message}\n${JSON.stringify(error)}`;
  for (const member of ['n', ...PRIVATE_MEMBERS] as const) {
    expect(text).not.toContain(jwk[member]!.slice(0, 24));
  }
  for (const line of pem?.split('\n').filter((l) => l.length > 40) ?? []) {
    expect(text).not.toContain(line);
  }
}

describe('RS256 keys', () => {
  it('signs RS256 tokens that a third party verifies with the SPKI PEM', async () => {
    const { token } = await signAccessToken(rsRing, config, { sub: 'u', sid: 's', now: NOW });
    expect(decodeProtectedHeader(token)).toEqual(RS_HEADER);
    expect(token.split('.')[2]).toHaveLength(342); // 256 signature bytes
    await expect(verify(token)).resolves.toMatchObject({ sub: 'u' });
    const { payload } = await jwtVerify(token, await importSPKI(rsa.publicPem, 'RS256'), {
      currentDate: new Date(NOW),
    });
    expect(payload.sub).toBe('u');
  });

  it('accepts a crypto.subtle.generateKey pair with a non-extractable private key', async () => {
    const { privateKey, publicKey } = await generate(2048);
    const ring = createKeyring([{ kid: 'gen', alg: 'RS256', privateKey, publicKey }]);
    const verifyOnly = createKeyring([
      { kid: 'hs', alg: 'HS256', secret: SECRET },
      { kid: 'gen', alg: 'RS256', publicKey },
    ]);
    await expect(roundTrip(ring, verifyOnly)).resolves.toMatchObject({ sub: 'u' });
  });

  it('refuses a 1024-bit key in every input form, naming the kid and never the key', async () => {
    const weak = pemPair('RS256', { modulusLength: 1024 });
    const jwk = privateJwk(weak.privatePem);
    const tooSmall = 'has a 1024-bit modulus; at least 2048 bits are required';
    const pem = await loadError(
      createKeyring([{ kid: 'weak', alg: 'RS256', privateKey: weak.privatePem }]),
    );
    expect(pem.issues).toEqual([`key "weak": privateKey ${tooSmall}`]);
    expectNoKeyMaterial(pem, jwk, weak.privatePem);

    const spki = await loadError(
      createKeyring([RS_INPUT, { kid: 'weak', alg: 'RS256', publicKey: weak.publicPem }]),
    );
    expect(spki.issues).toEqual([`key "weak": publicKey ${tooSmall}`]);
    expectNoKeyMaterial(spki, jwk, weak.publicPem);

    const fromJwk = configError([{ kid: 'weak', alg: 'RS256', privateKey: jwk }]);
    expect(fromJwk.issues).toEqual([`key "weak": privateKey ${tooSmall}`]);
    expectNoKeyMaterial(fromJwk, jwk);

    const generated = await generate(1024);
    expect(configError([{ kid: 'weak', alg: 'RS256', ...generated }]).issues).toEqual([
      `key "weak": privateKey ${tooSmall}`,
      `key "weak": publicKey ${tooSmall}`,
    ]);
  });

  it('counts modulus bits exactly: 2047 is refused', () => {
    const jwk = privateJwk(pemPair('RS256', { modulusLength: 2047 }).privatePem);
    expect(configError([{ kid: 'k', alg: 'RS256', privateKey: jwk }]).issues).toEqual([
      'key "k": privateKey has a 2047-bit modulus; at least 2048 bits are required',
    ]);
  });

  it('refuses a public exponent other than 65537', async () => {
    const three = pemPair('RS256', { publicExponent: 3 });
    const exponent = 'has a public exponent other than 65537';
    const ring = createKeyring([{ kid: 'e3', alg: 'RS256', privateKey: three.privatePem }]);
    expect((await loadError(ring)).issues).toEqual([`key "e3": privateKey ${exponent}`]);
    expect(
      configError([
        { kid: 'e3', alg: 'RS256', privateKey: privateJwk(three.privatePem) },
        { kid: 'e1', alg: 'RS256', publicKey: { ...publicPart(rsaJwk), e: 'AQ' } },
      ]).issues,
    ).toEqual([`key "e3": privateKey ${exponent}`, `key "e1": publicKey ${exponent}`]);
  });

  it('refuses RSA keys of the wrong shape at construction', async () => {
    const [pss, sha384] = await Promise.all([
      generate(2048, 'SHA-256', 'RSA-PSS'),
      generate(2048, 'SHA-384'),
    ]);
    const ec = privateJwk(pemPair('ES256').privatePem);
    const pkcs1 = {
      privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKey: createPublicKey(rsa.privateKey)
        .export({ type: 'pkcs1', format: 'pem' })
        .toString(),
    };
    expect(
      configError([
        { kid: 'a', alg: 'RS256', privateKey: pss.privateKey, publicKey: sha384.publicKey },
        { kid: 'b', alg: 'RS256', privateKey: ec },
        { kid: 'c', alg: 'RS256', privateKey: { ...rsaJwk, alg: 'PS256' } },
        { kid: 'd', alg: 'RS256', publicKey: { ...publicPart(rsaJwk), p: rsaJwk.p } },
        { kid: 'e', alg: 'RS256', publicKey: { ...publicPart(rsaJwk), n: 'n+/=' } },
        { kid: 'f', alg: 'RS256', privateKey: pkcs1.privateKey },
        { kid: 'g', alg: 'RS256', publicKey: pkcs1.publicKey },
      ]).issues,
    ).toEqual([
      'key "a": privateKey CryptoKey is not an RSASSA-PKCS1-v1_5 SHA-256 key',
      'key "a": publicKey CryptoKey is not an RSASSA-PKCS1-v1_5 SHA-256 key',
      'key "b": privateKey JWK must have kty "RSA"',
      'key "c": privateKey JWK alg must be "RS256"',
      'key "d": publicKey JWK contains a private part ("p")',
      'key "e": publicKey JWK needs base64url "n" and "e"',
      'key "f": privateKey must be PEM starting with -----BEGIN PRIVATE KEY-----; convert PKCS#1 with `openssl pkcs8 -topk8 -nocrypt`',
      'key "g": publicKey must be PEM starting with -----BEGIN PUBLIC KEY-----; convert PKCS#1 with `openssl rsa -RSAPublicKey_in -pubout`',
    ]);
  });

  it.each([
    [
      'a publicKey of another pair',
      { privateKey: rsa.privatePem, publicKey: pemPair('RS256').publicPem },
    ],
    [
      'a private JWK whose n belongs to another key',
      { privateKey: { ...rsaJwk, n: privateJwk(pemPair('RS256').privatePem).n } },
    ],
  ])('refuses, on load, %s', async (_, parts) => {
    const error = await loadError(createKeyring([{ kid: 'x', alg: 'RS256', ...parts }]));
    expect(error.issues).toEqual(['key "x": publicKey does not match privateKey']);
  });
});

describe('rotation from ES256 to RS256', () => {
  it('verifies ES256 tokens by kid while RS256 signs, and stops once ES256 leaves', async () => {
    const old = pemPair('ES256');
    const before = createKeyring([{ kid: '2026-01', alg: 'ES256', privateKey: old.privatePem }]);
    const during = createKeyring([
      RS_INPUT,
      { kid: '2026-01', alg: 'ES256', publicKey: old.publicPem },
    ]);
    const after = createKeyring([RS_INPUT]);
    const { token } = await signAccessToken(before, config, { sub: 'u', sid: 's', now: NOW });
    await expect(verifyAccessToken(during, config, token, NOW)).resolves.toMatchObject({
      sub: 'u',
    });
    await expectRefused(verifyAccessToken(after, config, token, NOW), { reason: 'malformed' });

    const next = await signAccessToken(during, config, { sub: 'u', sid: 's', now: NOW });
    expect(decodeProtectedHeader(next.token)).toEqual(RS_HEADER);
    await expect(roundTrip(during, after)).resolves.toMatchObject({ sub: 'u' });
    await expectRefused(verifyAccessToken(before, config, next.token, NOW), {
      reason: 'malformed',
    });
  });
});

describe('jwks with an RS256 key', () => {
  const expected = { kty: 'RSA', n: rsaJwk.n, e: 'AQAB', kid: 'rs', alg: 'RS256', use: 'sig' };

  it.each([
    ['PKCS#8 PEM', rsa.privatePem],
    ['a private JWK with extra members', { ...rsaJwk, alg: 'RS256', ext: true, key_ops: ['sign'] }],
    ['an extractable CryptoKey', 'cryptoKey'],
  ])('publishes only kty, n, e, kid, alg and use, from %s', async (_, input) => {
    const privateKey =
      input === 'cryptoKey'
        ? await webcrypto.subtle.importKey('jwk', rsaJwk, RSASSA, true, ['sign'])
        : input;
    const ring = createKeyring([
      { kid: 'rs', alg: 'RS256', privateKey } as KeyInput,
      { kid: 'hs', alg: 'HS256', secret: SECRET },
      { kid: 'ec', alg: 'ES256', publicKey: pemPair('ES256').publicPem },
    ]);
    const jwks = await ring.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual(['rs', 'ec']);
    expect(jwks.keys[0]).toStrictEqual(expected);
    const text = JSON.stringify(jwks);
    for (const member of PRIVATE_MEMBERS) expect(text).not.toContain(rsaJwk[member]);

    const { token } = await signAccessToken(ring, config, { sub: 'u', sid: 's', now: NOW });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      currentDate: new Date(NOW),
    });
    expect(payload.sub).toBe('u');
  });
});

describe('RS256 key confusion', () => {
  it('accepts a hand-signed RS256 token (so every refusal below is the defence)', async () => {
    await expect(verify(signRsa(RS_HEADER, 'RS256'))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each([
    ['its SPKI PEM text', async () => rsa.publicPem],
    ['its public JWK as JSON', async () => JSON.stringify(publicPart(rsaJwk))],
    ['its JWKS entry as JSON', async () => JSON.stringify((await rsRing.jwks()).keys[0])],
  ])('refuses HS256 whose HMAC secret is the RS256 public key: %s', async (_, secretOf) => {
    const secret = await secretOf();
    const token = forge({ ...RS_HEADER, alg: 'HS256' }, claims(), secret);
    // Premise: a verifier that lets the header pick the algorithm accepts this forgery.
    const naive = await jwtVerify(token, new TextEncoder().encode(secret), {
      currentDate: new Date(NOW),
    });
    expect(naive.payload.sub).toBe('user-1');
    await expectRefused(verify(token), { reason: 'malformed' }, token);
  });

  it.each(['PS256', 'RS384', 'RS512'] as const)(
    'refuses %s signed with the very same RSA key',
    async (alg) => {
      const token = signRsa({ ...RS_HEADER, alg }, alg);
      // Premise: the signature is valid under the header's algorithm.
      const key = await importSPKI(rsa.publicPem, alg);
      await expect(jwtVerify(token, key, { currentDate: new Date(NOW) })).resolves.toBeTruthy();
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    },
  );
});
