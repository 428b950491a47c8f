/**
 * Every parser that takes outside input either returns a valid result or fails with one of sess's
 * typed errors (a known `code`, never a TypeError/SyntaxError/RangeError from below), and no error
 * message, JSON body or issue list repeats the input (a marker planted in the input is searched for).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCookies } from '../../src/cookies/read.ts';
import { isSessionId, parseCredential } from '../../src/credential.ts';
import { checkFetchMetadata } from '../../src/csrf/fetch-metadata.ts';
import { checkOrigin, normalizeOrigin } from '../../src/csrf/origin.ts';
import { createCsrfProtection } from '../../src/csrf/protection.ts';
import { createCsrfTokens } from '../../src/csrf/tokens.ts';
import { createSessionManager } from '../../src/index.ts';
import { verifyAccessToken } from '../../src/jwt/access-token.ts';
import { AccessTokenVerifier } from '../../src/jwt/access-verifier.ts';
import { createKeyring } from '../../src/jwt/keyring.ts';
import { precheckAccessToken } from '../../src/jwt/precheck.ts';
import { memoryStore } from '../../src/memory.ts';
import type { RequestLike } from '../../src/request.ts';
import { expectInheritsNothing, frozenClock, jwtOptions, SECRET } from '../helpers.ts';
import { config, forge, HEADER, hsRing, NOW, NOW_S, pemPair } from '../jwt/fixtures.ts';
import {
  anyString,
  anyValue,
  b64url,
  base64urlText,
  expectReturnedOrTyped,
  expectTyped,
  marked,
  settle,
  settleSync,
} from './support.ts';

const RUNS = { numRuns: 400 };

/** A request view over a plain map: any header value a client could send, unlike Web `Headers`. */
function requestWith(method: string, headers: Record<string, string | undefined>): RequestLike {
  const lower = new Map(
    Object.entries(headers)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { method, headers: { get: (name) => lower.get(name.toLowerCase()) ?? null } };
}

// --- access tokens ------------------------------------------------------------------------------

const jsonWithMarker: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.jsonValue()),
  marked().map((s) => ({ sub: s })),
);

/** Three-segment strings: random base64url, encoded random JSON, or forged with the real key. */
const tokenShaped: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(base64urlText, base64urlText, base64urlText).map((parts) => parts.join('.')),
  fc
    .tuple(jsonWithMarker, jsonWithMarker, base64urlText)
    .map(
      ([h, p, s]) => `${b64url(JSON.stringify(h) ?? '')}.${b64url(JSON.stringify(p) ?? '')}.${s}`,
    ),
  fc.tuple(jsonWithMarker, jsonWithMarker).map(([h, p]) => forge(h as object, p as object)),
  fc.jsonValue().map((p) => forge(HEADER, p as object)),
  fc.array(fc.oneof(base64urlText, anyString), { maxLength: 5 }).map((parts) => parts.join('.')),
);

/** Claims around the valid ones: each registered claim valid, absent, or anything. */
const randomClaims = fc.record(
  {
    iss: fc.oneof(fc.constant(config.issuer), fc.jsonValue()),
    aud: fc.oneof(fc.constant(config.audience), fc.jsonValue(), fc.constant([config.audience])),
    sub: fc.oneof(fc.constant('user-1'), marked(), fc.jsonValue()),
    sid: fc.oneof(fc.constant('sess-1'), fc.jsonValue()),
    jti: fc.oneof(fc.constant('jti-1'), fc.jsonValue()),
    iat: fc.oneof(
      fc.integer({ min: NOW_S - 2000, max: NOW_S + 2000 }),
      fc.double(),
      fc.jsonValue(),
    ),
    exp: fc.oneof(
      fc.integer({ min: NOW_S - 2000, max: NOW_S + 2000 }),
      fc.double(),
      fc.jsonValue(),
    ),
    nbf: fc.oneof(fc.integer({ min: NOW_S - 2000, max: NOW_S + 2000 }), fc.jsonValue()),
    auth_time: fc.oneof(fc.integer({ min: NOW_S - 5000, max: NOW_S + 100 }), fc.jsonValue()),
    role: fc.jsonValue(),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('access tokens', () => {
  it('verifyAccessToken returns valid claims or throws a typed 401, on any string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyString, tokenShaped), async (token) => {
        const settled = await settle(() => verifyAccessToken(hsRing, config, token, NOW));
        expectReturnedOrTyped(settled, ['ERR_SESS_INVALID_CREDENTIAL', 'ERR_SESS_EXPIRED']);
      }),
      RUNS,
    );
  });

  it('correctly signed tokens with random claims verify only when every claim check holds', async () => {
    await fc.assert(
      fc.asyncProperty(randomClaims, async (claims) => {
        const token = forge(HEADER, claims);
        const settled = await settle(() => verifyAccessToken(hsRing, config, token, NOW));
        expectReturnedOrTyped(settled, ['ERR_SESS_INVALID_CREDENTIAL', 'ERR_SESS_EXPIRED']);
        if (!settled.ok) return;
        const c = settled.value;
        const skew = config.clockSkewMs;
        expect(c.iss).toBe(config.issuer);
        expect(c.aud).toBe(config.audience);
        for (const name of ['sub', 'sid', 'jti'] as const) {
          expect(typeof c[name] === 'string' && c[name].length > 0).toBe(true);
        }
        expect(Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp)).toBe(true);
        expect(c.exp > c.iat && (c.exp - c.iat) * 1000 <= config.lifetimeMs + skew).toBe(true);
        expect(NOW).toBeLessThan(c.exp * 1000 + skew);
        const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0;
        expect(Math.max(c.iat, nbf) * 1000 - skew).toBeLessThanOrEqual(NOW);
        // Only registered and declared claims come back.
        for (const name of Object.keys(c)) {
          expect(['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'auth_time', 'role']).toContain(
            name,
          );
        }
        expectInheritsNothing(c);
      }),
      { numRuns: 1000 },
    );
  });

  it('precheckAccessToken takes any value, the cached verifier any string, without leaking an untyped error', async () => {
    const verifier = new AccessTokenVerifier(hsRing, config, 16);
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyValue, anyString, tokenShaped), async (token) => {
        const pre = settleSync(() =>
          precheckAccessToken(token, { algOf: (kid) => (kid === 'hs-1' ? 'HS256' : undefined) }),
        );
        expectReturnedOrTyped(pre, ['ERR_SESS_INVALID_CREDENTIAL']);
        if (typeof token !== 'string') return; // typed `string`; public callers go through the manager
        const verified = await settle(() => verifier.verify(token, NOW));
        expectReturnedOrTyped(verified, ['ERR_SESS_INVALID_CREDENTIAL', 'ERR_SESS_EXPIRED']);
      }),
      RUNS,
    );
  });

  it('asymmetric keys (verified by jose) fail only with typed errors too', async () => {
    const ed = pemPair('EdDSA');
    const ring = createKeyring([{ kid: 'ed-1', alg: 'EdDSA', privateKey: ed.privatePem }]);
    const header = b64url(JSON.stringify({ alg: 'EdDSA', kid: 'ed-1', typ: 'at+jwt' }));
    await fc.assert(
      fc.asyncProperty(jsonWithMarker, base64urlText, async (payload, signature) => {
        const token = `${header}.${b64url(JSON.stringify(payload) ?? '')}.${signature}`;
        const settled = await settle(() => verifyAccessToken(ring, config, token, NOW));
        expect(settled.ok).toBe(false);
        expectReturnedOrTyped(settled, ['ERR_SESS_INVALID_CREDENTIAL']);
      }),
      { numRuns: 200 },
    );
  });
});

// --- session credentials ------------------------------------------------------------------------

const credentialShaped: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
    )
    .map(
      ([id, secret]) =>
        `${Buffer.from(id).toString('base64url')}.${Buffer.from(secret).toString('base64url')}`,
    ),
  fc.tuple(base64urlText, base64urlText).map(([a, b]) => `${a}.${b}`),
  fc
    .tuple(fc.string({ minLength: 22, maxLength: 22 }), fc.string({ minLength: 43, maxLength: 43 }))
    .map(([a, b]) => `${a}.${b}`),
  marked().map((s) => `${s.padEnd(22, 'A').slice(0, 22)}.${s.padEnd(43, 'A').slice(0, 43)}`),
);

/** Canonical base64url: decoding and re-encoding gives the same text back. */
const canonical = (text: string): boolean =>
  Buffer.from(text, 'base64url').toString('base64url') === text;

describe('session credentials', () => {
  it('parseCredential returns null or the exact canonical <id>.<secret> split, on any value', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, anyString, credentialShaped), (value) => {
        const settled = settleSync(() => parseCredential(value));
        expect(settled.ok, 'parseCredential never throws').toBe(true);
        expect(settleSync(() => isSessionId(value)).ok).toBe(true);
        if (!settled.ok || settled.value === null) return;
        const { id, secret } = settled.value;
        expect(`${id}.${secret}`).toBe(value);
        expect(id).toHaveLength(22);
        expect(secret).toHaveLength(43);
        expect(canonical(id) && canonical(secret)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('validate, refresh and revokeAccessToken refuse any non-credential with ERR_SESS_INVALID_CREDENTIAL (ERR_SESS_NO_CREDENTIAL for nothing at all), saying nothing of it', async () => {
    const store = memoryStore({ clock: frozenClock() });
    const sess = createSessionManager({ store, secret: SECRET, clock: frozenClock() });
    const jwtSess = createSessionManager({
      store,
      secret: SECRET,
      clock: frozenClock(),
      strategy: 'jwt',
      jwt: jwtOptions,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValue, anyString, credentialShaped, tokenShaped),
        async (value) => {
          const input = value as string;
          const nothing = typeof input !== 'string' || input === '';
          const calls: (() => Promise<unknown>)[] = [
            () => sess.validate(input),
            () => sess.refresh(input),
            () => jwtSess.validate(input),
            () => jwtSess.refresh(input),
            () => jwtSess.revokeAccessToken(input),
          ];
          for (const call of calls) {
            const settled = await settle(call);
            expect(settled.ok).toBe(false);
            if (!settled.ok) {
              expectTyped(settled.error, [
                'ERR_SESS_INVALID_CREDENTIAL',
                'ERR_SESS_EXPIRED',
                ...(nothing ? (['ERR_SESS_NO_CREDENTIAL'] as const) : []),
              ]);
            }
          }
        },
      ),
      RUNS,
    );
  });
});

// --- cookies ------------------------------------------------------------------------------------

const NAMES = {
  session: '__Host-session',
  refresh: '__Secure-refresh',
  csrf: '__proto__',
} as const;
const cookieName = fc.oneof(
  fc.constantFrom(...Object.values(NAMES), 'constructor', 'other', '__Host-session '),
  fc.string({ maxLength: 8 }),
);
const simpleValue = fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/);
const cookieValue = fc.oneof(
  simpleValue,
  anyString,
  fc.constantFrom('%', '%E0%A4%A', '"x"', '%00'),
);

describe('Cookie header', () => {
  it('readCookies never throws, and reports exactly the names sent once with a value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cookieName, simpleValue), { maxLength: 8 }),
        fc.constantFrom('; ', ';', ' ;  '),
        (pairs, sep) => {
          const header = pairs.map(([n, v]) => `${n}=${v}`).join(sep);
          const { values, ambiguous } = readCookies(header, NAMES);
          for (const [key, name] of Object.entries(NAMES) as [keyof typeof NAMES, string][]) {
            const sent = pairs.filter(([n]) => n.trim() === name);
            if (sent.length > 1) expect(ambiguous).toContain(key);
            if (sent.length === 1 && sent[0]![1] !== '') expect(values[key]).toBe(sent[0]![1]);
            if (sent.length !== 1) expect(Object.hasOwn(values, key)).toBe(false);
          }
        },
      ),
      RUNS,
    );
  });

  it('readCookies never throws on any header, and returns only known keys with non-empty values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          fc
            .array(fc.tuple(cookieName, cookieValue))
            .map((ps) => ps.map((p) => p.join('=')).join(';')),
        ),
        (header) => {
          const settled = settleSync(() => readCookies(header, NAMES));
          expect(settled.ok).toBe(true);
          if (!settled.ok) return;
          const { values, ambiguous } = settled.value;
          for (const [key, value] of Object.entries(values)) {
            expect(Object.keys(NAMES)).toContain(key);
            expect(typeof value === 'string' && value.length > 0).toBe(true);
            expect(ambiguous).not.toContain(key);
          }
          expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
        },
      ),
      RUNS,
    );
  });
});

// --- CSRF ---------------------------------------------------------------------------------------

const KEY = new Uint8Array(32).fill(9);
const TRUSTED = 'https://app.example.com';
const originLike = fc.oneof(
  anyString,
  fc.constantFrom(
    TRUSTED,
    `${TRUSTED}/`,
    'null',
    ' null ',
    'HTTPS://APP.EXAMPLE.COM:443',
    'https://app.example.com.evil.com',
  ),
  fc
    .tuple(
      fc.constantFrom('', 'https://', 'http://', 'HTTPS://', 'https://evil', 'https://user@'),
      fc.constantFrom(
        'app.example.com',
        'APP.example.com',
        'app.example.co',
        'xn--pp-example',
        '[::1]',
        '*.example.com',
      ),
      fc.constantFrom(
        '',
        ':443',
        ':80',
        ':8443',
        '.',
        '.evil.com',
        '/',
        '/x',
        '?',
        '#',
        '@evil.com',
        '%2e',
        ' ',
        '\t',
        '\\',
        ':0',
      ),
    )
    .map((parts) => parts.join('')),
);
const fetchSite = fc.oneof(
  fc.constantFrom(
    'same-origin',
    'none',
    'same-site',
    'cross-site',
    ' Same-Origin ',
    'SAME-SITE',
    '',
  ),
  anyString,
);

describe('CSRF', () => {
  it('token verify returns a boolean for any token and binding, true only for what was issued', async () => {
    const tokens = createCsrfTokens(KEY);
    const issued = await tokens.issue('session|abc');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValue, anyString, fc.constant(issued), credentialShaped),
        fc.oneof(fc.constant('session|abc'), anyValue, anyString),
        async (token, binding) => {
          const settled = await settle(() => tokens.verify(token, binding as string));
          expect(settled.ok).toBe(true);
          if (!settled.ok) return;
          expect(settled.value).toBe(token === issued && binding === 'session|abc');
        },
      ),
      RUNS,
    );
  });

  it('protect() passes or throws ERR_SESS_CSRF only, for any request and context', async () => {
    const modes = (['synchronizer', 'double-submit', 'origin-only'] as const).map((mode) =>
      createCsrfProtection({ trustedOrigins: [TRUSTED], mode }, KEY),
    );
    const header = fc.option(fc.oneof(anyString, fc.constant('x')), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...modes),
        fc.oneof(fc.constantFrom('GET', 'POST', 'post', 'PUT', 'DELETE', 'OPTIONS', ''), anyString),
        fc.record({
          origin: fc.option(originLike, { nil: undefined }),
          referer: fc.option(originLike, { nil: undefined }),
          'sec-fetch-site': fc.option(fetchSite, { nil: undefined }),
          'x-csrf-token': header,
        }),
        fc.record(
          {
            sessionId: fc.option(fc.oneof(anyString, fc.constant('')), { nil: null }),
            preSessionId: fc.option(anyString, { nil: null }),
            cookieToken: fc.option(anyString, { nil: null }),
            formToken: fc.option(anyString, { nil: null }),
          },
          { requiredKeys: [] },
        ),
        async (csrf, method, headers, context) => {
          const settled = await settle(() => csrf.protect(requestWith(method, headers), context));
          expectReturnedOrTyped(settled, ['ERR_SESS_CSRF']);
        },
      ),
      RUNS,
    );
  });

  it('normalizeOrigin never throws and returns null or a canonical scheme://host[:port]', () => {
    fc.assert(
      fc.property(originLike, (value) => {
        const settled = settleSync(() => normalizeOrigin(value));
        expect(settled.ok).toBe(true);
        if (!settled.ok || settled.value === null) return;
        expect(settled.value).toMatch(/^https?:\/\/[^/?#@\s]+$/);
        expect(normalizeOrigin(settled.value)).toBe(settled.value);
      }),
      { numRuns: 1000 },
    );
  });

  it('checkOrigin passes only an exact origin match, never a suffix, prefix or substring', () => {
    fc.assert(
      fc.property(
        fc.option(originLike, { nil: undefined }),
        fc.option(originLike, { nil: undefined }),
        fc.boolean(),
        (origin, referer, allowMissing) => {
          const req = requestWith('POST', { origin, referer });
          const settled = settleSync(() =>
            checkOrigin(req, [TRUSTED], { allowMissingOrigin: allowMissing }),
          );
          expect(settled.ok).toBe(true);
          if (!settled.ok || settled.value !== null) return;
          if (origin !== undefined) expect(normalizeOrigin(origin)).toBe(TRUSTED);
          else if (referer !== undefined) expect(new URL(referer).origin).toBe(TRUSTED);
          else expect(allowMissing).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('checkFetchMetadata never throws and passes only same-origin, none, absent (or allowed same-site)', () => {
    fc.assert(
      fc.property(fc.option(fetchSite, { nil: undefined }), fc.boolean(), (site, allowSameSite) => {
        const reason = checkFetchMetadata(requestWith('POST', { 'sec-fetch-site': site }), {
          allowSameSite,
        });
        const value = site?.trim().toLowerCase();
        const passes =
          site === undefined ||
          value === 'same-origin' ||
          value === 'none' ||
          (value === 'same-site' && allowSameSite);
        expect(reason === null).toBe(passes);
      }),
      RUNS,
    );
  });
});
