import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyAlgorithm } from '../../src/jwt/keyring.ts';
import { precheckAccessToken } from '../../src/jwt/precheck.ts';
import { MAX_JSON_DEPTH, parseStrictJsonObject } from '../../src/jwt/strict-json.ts';
import { b64, claims, forge, HEADER } from './fixtures.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseStrictJsonObject(utf8(text));
const nest = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('parseStrictJsonObject', () => {
  it.each([
    '{}',
    ' {"a" : [1, -2.5e3, true, false, null, "x", {"b": {}}] } ',
    '{"a":"\\u0000\\n\\"\\\\\\/é😀","b":{"a":1},"c":[{"a":1},{"a":2}]}',
    '{"a":1,"A":2,"a ":3}',
    '{"iss":"https://a:1/b","a:b":"c::d","n":1,"t":true,"z":null}',
  ])('accepts %s exactly as JSON.parse reads it', (text) => {
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['top level', '{"a":1,"a":1}'],
    ['nested object', '{"a":{"b":1,"c":2,"b":3}}'],
    ['object inside an array', '{"a":[{"x":1},{"y":1,"y":2}]}'],
    ['an escaped twin', '{"sub":"a","\\u0073ub":"b"}'],
    ['an escaped solidus twin', '{"a/b":1,"a\\/b":2}'],
    ['twins with colons in their values', '{"iss":"https://a:1","iss":"https://b"}'],
    ['twins with colons in their names', '{"a:b":"c:d","a:b":1}'],
    ['a nested twin, dropped for a flat one', '{"a":{"b":1},"a":2}'],
    ['a flat twin, dropped for a nested one', '{"a":2,"a":{"b":1}}'],
  ])('refuses duplicate member names: %s', (_, text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(parse(text)).toBeNull();
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(parse(nest(MAX_JSON_DEPTH))).not.toBeNull();
    expect(parse(nest(MAX_JSON_DEPTH + 1))).toBeNull();
    expect(parse(`{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`)).toBeNull();
    expect(parse(`{"a":${'['.repeat(100_000)}`)).toBeNull(); // no stack overflow
  });

  it.each([
    ['an invalid byte', [0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]],
    ['an overlong encoding of "/"', [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]],
    ['an encoded surrogate', [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]],
    ['a truncated sequence', [0x7b, 0x22, 0xe2, 0x82, 0x22, 0x3a, 0x31, 0x7d]],
    ['a byte order mark', [0xef, 0xbb, 0xbf, ...utf8('{}')]],
  ])('refuses %s', (_, bytes) => {
    expect(parseStrictJsonObject(new Uint8Array(bytes))).toBeNull();
  });

  it.each([
    '[]',
    '"x"',
    '1',
    'null',
    '',
    '{',
    '{}}',
    '{} {}',
    '{"a":1,}',
    "{'a':1}",
    '{"a":01}',
    '{"a":NaN}',
    '{"a":.5}',
    '{"a":1.}',
    '{"a":+1}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"tab\there"}',
    '{a:1}',
    '{"a" 1}',
    '{"a":[1 2]}',
    '{"a":tru}',
    '{"a":1}\u00a0',
  ])('refuses %j', (text) => {
    expect(parse(text)).toBeNull();
  });

  it('refuses every object into which a member name was written twice, at any depth, escaped or not', () => {
    // The name as JSON.stringify writes it, or with every character as a \u escape.
    const spell = (name: string, escaped: boolean) =>
      escaped
        ? name.replace(/[\s\S]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
        : JSON.stringify(name).slice(1, -1);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
          fc.jsonValue({ maxDepth: 3 }),
          {
            minKeys: 1,
          },
        ),
        fc.boolean(),
        fc.boolean(),
        fc.jsonValue({ maxDepth: 2 }),
        (value, nested, escaped, extra) => {
          const name = Object.keys(value)[0]!;
          const member = `"${spell(name, escaped)}":${JSON.stringify(extra)}`;
          const text = `${JSON.stringify(value).slice(0, -1)},${member}}`;
          const doc = nested ? `{"outer":[1,${text}]}` : text;
          expect(() => JSON.parse(doc)).not.toThrow();
          expect(parse(doc)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on every duplicate-free JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), (value) => {
        const text = JSON.stringify(value);
        expect(parse(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('precheckAccessToken', () => {
  const algOf = (kid: string) => (kid === 'hs-1' ? 'HS256' : undefined);
  const check = (token: unknown, maxLength?: number) =>
    precheckAccessToken(token, { algOf, maxLength });

  it('returns the decoded header and payload, and the key binding', () => {
    const result = check(forge(HEADER, claims()));
    expect(result).toEqual({ header: HEADER, payload: claims(), kid: 'hs-1', alg: 'HS256' });
  });

  it('applies the length cap, 4096 by default', () => {
    const token = forge(HEADER, claims({ pad: 'x'.repeat(2900) }));
    expect(token.length).toBeGreaterThan(4096);
    expect(() => check(token)).toThrow(expect.objectContaining({ reason: 'malformed' }));
    expect(check(token, token.length).kid).toBe('hs-1');
    expect(() => check(token, token.length - 1)).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });

  it.each([
    ['not a string', 123],
    ['empty', ''],
    ['two segments', 'a.b'],
    ['an empty header', `.${b64('{}')}.c2ln`],
    ['an empty payload', `${b64(JSON.stringify(HEADER))}..c2ln`],
    ['a padded header', `${b64(JSON.stringify(HEADER))}=.${b64('{}')}.c2ln`],
    ['a payload that is an array', `${b64(JSON.stringify(HEADER))}.${b64('[]')}.c2ln`],
    ['a header that is a string', `${b64('"x"')}.${b64('{}')}.c2ln`],
    [
      'a header alg as an array',
      `${b64(JSON.stringify({ ...HEADER, alg: ['HS256'] }))}.${b64('{}')}.c2ln`,
    ],
  ])('refuses %s', (_, token) => {
    expect(() => check(token)).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_INVALID_CREDENTIAL', reason: 'malformed' }),
    );
  });

  // jose would refuse most of these too (algorithms option, CryptoKey binding); pin our own layer.
  it.each(['none', 'None', 'NONE', 'nOnE', 'HS512', 'hs256', 'EdDSA', ''])(
    'refuses alg %j for an HS256 kid',
    (alg) => {
      expect(() => check(forge({ ...HEADER, alg }, claims()))).toThrow(
        expect.objectContaining({ reason: 'malformed' }),
      );
    },
  );

  describe('with an RS256 kid', () => {
    const algs = new Map<string, KeyAlgorithm>([
      ['rs-1', 'RS256'],
      ['hs-1', 'HS256'],
    ]);
    const rsAlgOf = (kid: string) => algs.get(kid);
    const rs = (header: object) =>
      precheckAccessToken(forge({ ...HEADER, kid: 'rs-1', ...header }, claims()), {
        algOf: rsAlgOf,
      });

    it('binds the kid to RS256', () => {
      expect(rs({ alg: 'RS256' })).toMatchObject({ kid: 'rs-1', alg: 'RS256' });
    });

    it.each(['HS256', 'PS256', 'RS384', 'RS512', 'ES256', 'EdDSA', 'rs256', 'none'])(
      'refuses alg %j',
      (alg) => {
        expect(() => rs({ alg })).toThrow(expect.objectContaining({ reason: 'malformed' }));
      },
    );

    it('refuses RS256 for the HS256 kid', () => {
      expect(() => rs({ alg: 'RS256', kid: 'hs-1' })).toThrow(
        expect.objectContaining({ reason: 'malformed' }),
      );
    });
  });

  it.each(['hs-2', 'HS-1', '__proto__', 'constructor'])('refuses unknown kid %j', (kid) => {
    expect(() => check(forge({ ...HEADER, kid }, claims()))).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });

  it.each(['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'crit', 'b64', 'zip', 'cty', '__proto__'])(
    'refuses a %s header member',
    (name) => {
      const header = JSON.stringify(HEADER).replace('{', `{${JSON.stringify(name)}:{},`);
      expect(() => check(forge(header, claims()))).toThrow(
        expect.objectContaining({ reason: 'malformed' }),
      );
    },
  );

  it.each(['JWT', 'jwt', 'at+jwt ', 'at+JWT; charset=utf-8', 'application/jwt'])(
    'refuses typ %j as the wrong type',
    (typ) => {
      expect(() => check(forge({ ...HEADER, typ }, claims()))).toThrow(
        expect.objectContaining({ reason: 'type' }),
      );
    },
  );
});
