import fc from 'fast-check';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  signAccessToken,
  validateCustomClaims,
  verifyAccessToken,
} from '../../src/jwt/access-token.ts';
import { expectInheritsNothing } from '../helpers.ts';
import {
  claims,
  config,
  forge,
  HEADER,
  hsRing,
  NOW,
  NOW_S,
  onEachCryptoPath,
  SECRET,
  webCryptoHmacCalls,
} from './fixtures.ts';

onEachCryptoPath((path) => {
  const sign = (extra: Record<string, unknown> = {}, cfg = config) =>
    signAccessToken(hsRing, cfg, {
      sub: 'user-1',
      sid: 'sess-1',
      now: NOW + 999,
      claims: extra as never,
    });

  describe('signAccessToken', () => {
    it('writes the at+jwt header and exactly the registered and declared claims', async () => {
      const { token, jti, exp } = await sign({
        role: 'admin',
        plan: 'pro',
        iss: 'https://evil.example',
      });
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'hs-1', typ: 'at+jwt' });
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(payload).toEqual({
        iss: config.issuer,
        aud: config.audience,
        sub: 'user-1',
        sid: 'sess-1',
        jti,
        iat: NOW_S,
        exp: NOW_S + 900,
        role: 'admin',
      });
      expect(exp).toBe((NOW_S + 900) * 1000);
      expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });

    it('never lets exp - iat exceed the lifetime, whatever the milliseconds', async () => {
      const cfg = { ...config, lifetimeMs: 1999 };
      const { token } = await sign({}, cfg);
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(payload.exp - payload.iat).toBe(1);
      await expect(
        verifyAccessToken(hsRing, { ...cfg, clockSkewMs: 0 }, token, NOW),
      ).resolves.toBeTruthy();
    });

    it(`signs on ${path}, exactly the bytes jose's SignJWT writes, verifiable by a third party`, async () => {
      let token = '';
      const calls = await webCryptoHmacCalls(async () => {
        ({ token } = await sign({ role: 'admin' }));
      });
      expect(calls > 0).toBe(path === 'Web Crypto');
      const key = new TextEncoder().encode(SECRET);
      const { payload, protectedHeader } = await jwtVerify(token, key, {
        currentDate: new Date(NOW),
      });
      const again = await new SignJWT(payload).setProtectedHeader(protectedHeader).sign(key);
      expect(again).toBe(token);
    });

    it('uses a fresh jti every time', async () => {
      const jtis = new Set(
        await Promise.all(Array.from({ length: 50 }, async () => (await sign()).jti)),
      );
      expect(jtis.size).toBe(50);
    });

    it('refuses to issue a token longer than maxTokenLength', async () => {
      await expect(sign({ role: 'x'.repeat(5000) })).rejects.toMatchObject({
        code: 'ERR_SESS_CONFIG',
      });
    });

    it.each([
      ['an empty sub', { sub: '', sid: 's', now: NOW }],
      ['a numeric sid', { sub: 'u', sid: 1 as unknown as string, now: NOW }],
      ['a NaN now', { sub: 'u', sid: 's', now: Number.NaN }],
    ])('refuses %s', async (_, input) => {
      await expect(signAccessToken(hsRing, config, input)).rejects.toThrow(TypeError);
    });
  });

  describe('verifyAccessToken', () => {
    it('returns a frozen, prototype-free copy with only known claims', async () => {
      const token = forge(
        HEADER,
        claims({ role: 'admin', isAdmin: true, __proto__: { polluted: 1 } }),
      );
      const result = await verifyAccessToken(hsRing, config, token, NOW);
      expectInheritsNothing(result);
      expect(Object.isFrozen(result)).toBe(true);
      expect(Object.keys(result).sort()).toEqual([
        'aud',
        'exp',
        'iat',
        'iss',
        'jti',
        'role',
        'sid',
        'sub',
      ]);
      expect({ ...result }).toEqual({ ...claims(), role: 'admin' });
    });

    it('round-trips its own tokens, with custom claims of any JSON shape', async () => {
      const role = { name: 'admin', scopes: ['a', 'b'], level: 3, active: true, note: null };
      const { token, jti } = await sign({ role });
      await expect(verifyAccessToken(hsRing, config, token, NOW)).resolves.toMatchObject({
        jti,
        role,
      });
    });

    it('words every refusal itself, never quoting a claim or a library message', async () => {
      const token = forge(HEADER, claims({ iss: 'https://evil.example' }));
      const error = (await verifyAccessToken(hsRing, config, token, NOW).catch(
        (e: unknown) => e,
      )) as Error;
      expect(error).toMatchObject({ code: 'ERR_SESS_INVALID_CREDENTIAL', reason: 'claims' });
      expect(error.message).toBe('The session credential is invalid');
    });

    it('refuses an nbf in the future beyond the skew, and a non-numeric nbf', async () => {
      const at = (nbf: unknown) =>
        verifyAccessToken(hsRing, config, forge(HEADER, claims({ nbf })), NOW);
      await expect(at(NOW_S + 30)).resolves.toMatchObject({ sub: 'user-1' });
      await expect(at(NOW_S + 31)).rejects.toMatchObject({ reason: 'claims' });
      await expect(at(String(NOW_S))).rejects.toMatchObject({ reason: 'claims' });
    });

    it('refuses every single-character change to a valid token', async () => {
      const { token } = await sign();
      const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
      await fc.assert(
        fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...chars), async (at, char) => {
          fc.pre(token[at] !== char);
          const mutated = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
          await expect(verifyAccessToken(hsRing, config, mutated, NOW)).rejects.toMatchObject({
            code: 'ERR_SESS_INVALID_CREDENTIAL',
          });
        }),
        { numRuns: 300 },
      );
    });

    it('refuses a non-string token and a NaN time without calling jose', async () => {
      await expect(
        verifyAccessToken(hsRing, config, 42 as unknown as string, NOW),
      ).rejects.toMatchObject({
        reason: 'malformed',
      });
      await expect(
        verifyAccessToken(hsRing, config, (await sign()).token, Number.NaN),
      ).rejects.toThrow(TypeError);
    });
  });
});

describe('configuration checks', () => {
  it.each([
    [['role', 'tenant', 'https://example.com/claims/groups'], []],
    [['sub'], ['"sub" is reserved']],
    [
      ['sid', 'nbf', 'cnf'],
      ['"sid" is reserved', '"nbf" is reserved', '"cnf" is reserved'],
    ],
    [
      ['__proto__', 'constructor'],
      ['"__proto__" is reserved', '"constructor" is reserved'],
    ],
    [['role', 'role'], ['"role" is listed twice']],
    [
      ['', 'has space'],
      [
        '"" must be 1-256 printable ASCII characters',
        '"has space" must be 1-256 printable ASCII characters',
      ],
    ],
  ])('validateCustomClaims(%j)', (names, issues) => {
    expect(validateCustomClaims(names)).toEqual(issues);
  });
});
