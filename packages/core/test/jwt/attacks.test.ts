import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../src/jwt/access-token.ts';
import { createKeyring } from '../../src/jwt/keyring.ts';
import {
  b64,
  claims,
  config,
  expectRefused,
  forge,
  HEADER,
  hsRing,
  NOW,
  NOW_S,
  onEachCryptoPath,
  pemPair,
  SECRET,
  webCryptoHmacCalls,
} from './fixtures.ts';

// Every case runs on both HS256 paths: a fast path is only as good as the attacks it refuses.
onEachCryptoPath((path) => {
  const verify = (token: string, now = NOW) => verifyAccessToken(hsRing, config, token, now);
  const signed = async () =>
    (await signAccessToken(hsRing, config, { sub: 'user-1', sid: 'sess-1', now: NOW })).token;

  describe('forged tokens: the control case', () => {
    it('accepts a hand-forged token when nothing is wrong (so every refusal below is the defence)', async () => {
      await expect(verify(forge(HEADER, claims()))).resolves.toMatchObject({ sub: 'user-1' });
    });

    it(`checks the signature on ${path}`, async () => {
      const calls = await webCryptoHmacCalls(() => verify(forge(HEADER, claims())));
      expect(calls > 0).toBe(path === 'Web Crypto');
    });
  });

  describe('algorithm confusion', () => {
    const NONE = ['none', 'None', 'NONE', 'nOnE'];
    it.each(NONE)('refuses alg %s without a signature segment', async (alg) => {
      const token = `${b64(JSON.stringify({ ...HEADER, alg }))}.${b64(JSON.stringify(claims()))}.`;
      await expectRefused(verify(token), { reason: 'malformed' }, token);
      await expectRefused(verify(token.slice(0, -1)), { reason: 'malformed' });
    });

    it.each(NONE)('refuses alg %s with a valid-looking signature segment', async (alg) => {
      const token = forge({ ...HEADER, alg }, claims());
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    });

    it.each(['EdDSA', 'ES256', 'RS256'] as const)(
      'refuses HS256 signed with the %s public key PEM as the HMAC secret',
      async (alg) => {
        const pair = pemPair(alg);
        const ring = createKeyring([{ kid: 'asym', alg, privateKey: pair.privatePem }]);
        const token = forge({ alg: 'HS256', kid: 'asym', typ: 'at+jwt' }, claims(), pair.publicPem);
        await expectRefused(
          verifyAccessToken(ring, config, token, NOW),
          { reason: 'malformed' },
          token,
        );
      },
    );

    it('refuses an alg that differs from the key bound to the kid, even one jose supports', async () => {
      const input = `${b64(JSON.stringify({ ...HEADER, alg: 'HS512' }))}.${b64(JSON.stringify(claims()))}`;
      const token = `${input}.${createHmac('sha512', SECRET).update(input).digest('base64url')}`;
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    });
  });

  describe('header members that choose the key or change parsing', () => {
    const attackerJwk = { kty: 'oct', k: b64('attacker-chosen-secret-of-32-bytes!') };
    it.each([
      ['jwk', attackerJwk],
      ['jku', 'https://attacker.example/jwks.json'],
      ['x5u', 'https://attacker.example/cert.pem'],
      ['x5c', ['MIIB']],
      ['crit', ['exp']],
      ['b64', false],
      ['cty', 'JWT'],
    ])('refuses a correctly signed token carrying a %s header', async (name, value) => {
      const token = forge({ ...HEADER, [name]: value }, claims());
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    });

    it('refuses an unknown kid, even signed with a real key', async () => {
      const token = forge({ ...HEADER, kid: 'hs-0' }, claims());
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    });

    it.each([
      ['missing', undefined],
      ['a number', 1],
    ])('refuses a kid that is %s', async (_, kid) => {
      await expectRefused(verify(forge({ ...HEADER, kid }, claims())), { reason: 'malformed' });
    });
  });

  describe('integrity and canonical form', () => {
    it('refuses a tampered payload (signature)', async () => {
      const [h, , s] = (await signed()).split('.');
      const token = `${h}.${b64(JSON.stringify(claims({ sub: 'admin' })))}.${s}`;
      const error = await verify(token).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_SESS_INVALID_CREDENTIAL', reason: 'signature' });
      // jose judged it on Web Crypto, and its error is kept; node:crypto's comparison has none.
      expect((error as Error).cause).toEqual(
        path === 'Web Crypto'
          ? expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
          : undefined,
      );
    });

    it('refuses a signature whose last character has non-zero unused bits (same bytes)', async () => {
      const token = await signed();
      const sig = token.split('.')[2]!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(sig.at(-1)!);
      const twin = `${sig.slice(0, -1)}${alphabet[last | 1]}`;
      // Premise: a lenient decoder reads the twin as the very same signature bytes.
      expect(Buffer.from(twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      expect(twin).not.toBe(sig);
      await expectRefused(verify(token.replace(sig, twin)), { reason: 'malformed' });
    });

    it('refuses standard-base64 and padded copies of a valid signature', async () => {
      let token = await signed();
      while (!/[-_]/.test(token.split('.')[2]!)) token = await signed();
      const sig = token.split('.')[2]!;
      const standard = sig.replaceAll('-', '+').replaceAll('_', '/');
      expect(Buffer.from(standard, 'base64').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      await expectRefused(verify(token.replace(sig, standard)), { reason: 'malformed' });
      await expectRefused(verify(`${token}=`), { reason: 'malformed' });
    });

    it.each([
      ['leading space', (t: string) => ` ${t}`],
      ['trailing newline', (t: string) => `${t}\n`],
      ['space after a dot', (t: string) => t.replace('.', '. ')],
      ['tab inside the payload', (t: string) => t.replace('.', '.\t')],
      ['a fourth segment', (t: string) => `${t}.${t.split('.')[2]}`],
    ])('refuses a valid token with %s', async (_, mutate) => {
      const token = await signed();
      await expect(verify(token)).resolves.toBeTruthy();
      await expectRefused(verify(mutate(token)), { reason: 'malformed' });
    });
  });

  describe('claims', () => {
    it.each([
      ['missing exp', claims({ exp: undefined })],
      ['missing iat', claims({ iat: undefined })],
      ['missing sub', claims({ sub: undefined })],
      ['missing sid', claims({ sid: undefined })],
      ['missing jti', claims({ jti: undefined })],
      ['numeric sub', claims({ sub: 42 })],
      ['empty sid', claims({ sid: '' })],
      ['object jti', claims({ jti: { a: 1 } })],
      ['wrong iss', claims({ iss: 'https://evil.example' })],
      ['wrong aud', claims({ aud: 'https://other-api.example' })],
      ['aud as an array containing ours', claims({ aud: [config.audience, 'x'] })],
      ['a lifetime longer than configured', claims({ exp: NOW_S + 3600 })],
      ['exp before iat', claims({ iat: NOW_S, exp: NOW_S - 1 })],
      ['fractional iat', claims({ iat: NOW_S + 0.5 })],
      ['string exp', claims({ exp: String(NOW_S + 900) })],
      ['iat in the future beyond the skew', claims({ iat: NOW_S + 31, exp: NOW_S + 31 + 900 })],
    ])('refuses %s', async (_, payload) => {
      const token = forge(HEADER, payload);
      await expectRefused(verify(token), { reason: 'claims' }, token);
    });

    it('refuses exp 1e308 (finite, integral, and absurd)', async () => {
      const text = JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e308');
      expect(JSON.parse(text).exp).toBe(1e308);
      await expectRefused(verify(forge(HEADER, text)), { reason: 'claims' });
    });

    it('accepts an iat exactly at the edge of the skew', async () => {
      const token = forge(HEADER, claims({ iat: NOW_S + 30, exp: NOW_S + 30 + 900 }));
      await expect(verify(token)).resolves.toMatchObject({ iat: NOW_S + 30 });
    });

    it.each([
      ['duplicate sub', '"sub":"alice","sub":"admin"'],
      ['duplicate sub via an escape', '"sub":"alice","s\\u0075b":"admin"'],
    ])('refuses %s, correctly signed by hand', async (_, members) => {
      const text = JSON.stringify(claims({ sub: undefined })).replace('{', `{${members},`);
      const token = forge(HEADER, text);
      await expectRefused(verify(token), { reason: 'malformed' }, token);
    });

    it('refuses a duplicate header member', async () => {
      const header = '{"alg":"HS256","kid":"hs-1","kid":"hs-1","typ":"at+jwt"}';
      await expectRefused(verify(forge(header, claims())), { reason: 'malformed' });
    });
  });

  describe('size and type', () => {
    it('refuses a token over maxTokenLength before parsing it', async () => {
      const token = forge(HEADER, claims({ role: 'x'.repeat(4096) }));
      expect(token.length).toBeGreaterThan(config.maxTokenLength);
      await expect(
        verifyAccessToken(hsRing, { ...config, maxTokenLength: 10_000 }, token, NOW),
      ).resolves.toBeTruthy();
      await expectRefused(verify(token), { reason: 'malformed' });
    });

    it.each([
      ['JWT', 'JWT'],
      ['application/jwt', 'application/jwt'],
      ['missing', undefined],
      ['a number', 1],
      ['a refresh-token type', 'rt+jwt'],
    ])('refuses typ %s', async (_, typ) => {
      await expectRefused(verify(forge({ ...HEADER, typ }, claims())), { reason: 'type' });
    });

    it.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT'])(
      'accepts typ %s',
      async (typ) => {
        await expect(verify(forge({ ...HEADER, typ }, claims()))).resolves.toBeTruthy();
      },
    );
  });

  describe('expiry and clock skew', () => {
    const token = () => forge(HEADER, claims());
    const expMs = (NOW_S + 900) * 1000;

    it('accepts until exp + skew, refuses from it on with ExpiredError', async () => {
      await expect(verify(token(), expMs + config.clockSkewMs - 1)).resolves.toBeTruthy();
      await expectRefused(verify(token(), expMs + config.clockSkewMs), { limit: 'token' });
      await expectRefused(verify(token(), expMs + 86_400_000), { limit: 'token' });
    });

    it('keeps the boundary exact to the millisecond with a fractional-second skew', async () => {
      const skewed = { ...config, clockSkewMs: 1500 };
      await expect(verifyAccessToken(hsRing, skewed, token(), expMs + 1499)).resolves.toBeTruthy();
      await expectRefused(verifyAccessToken(hsRing, skewed, token(), expMs + 1500), {
        limit: 'token',
      });
    });

    it('with zero skew, expires exactly at exp', async () => {
      const strict = { ...config, clockSkewMs: 0 };
      await expect(verifyAccessToken(hsRing, strict, token(), expMs - 1)).resolves.toBeTruthy();
      await expectRefused(verifyAccessToken(hsRing, strict, token(), expMs), { limit: 'token' });
    });

    it('refuses a token issued after now beyond the skew, accepts one within it', async () => {
      await expect(verify(token(), NOW - config.clockSkewMs)).resolves.toBeTruthy();
      await expectRefused(verify(token(), NOW - config.clockSkewMs - 1000), { reason: 'claims' });
    });
  });
});
