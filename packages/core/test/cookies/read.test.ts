import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveCookieConfig } from '../../src/cookies/config.ts';
import { readCookies } from '../../src/cookies/read.ts';

const { names } = resolveCookieConfig().value;

describe('readCookies', () => {
  it('reads our cookies and ignores the others', () => {
    const result = readCookies(
      'theme=dark; __Host-session=id.secret; __Secure-refresh=rt; __Host-csrf=pre',
      names,
    );
    expect(result.values).toEqual({ session: 'id.secret', refresh: 'rt', csrf: 'pre' });
    expect(result.ambiguous).toEqual([]);
  });

  it('returns nothing for an absent or empty header', () => {
    for (const header of [null, undefined, '', ';', '   ']) {
      expect(readCookies(header, names)).toEqual({ values: {}, ambiguous: [] });
    }
  });

  it('treats an empty value as absent', () => {
    expect(readCookies('__Host-session=', names).values).toEqual({});
  });

  it('treats a duplicated cookie as absent and flags it (cookie tossing)', () => {
    const result = readCookies(
      '__Host-session=attacker; theme=x; __Host-session=victim; __Host-csrf=c',
      names,
    );
    expect(result.values).toEqual({ csrf: 'c' });
    expect(result.ambiguous).toEqual(['session']);
  });

  it('flags duplicates even when both copies agree, and only once', () => {
    const result = readCookies('__Host-csrf=a; __Host-csrf=a; __Host-csrf=b', names);
    expect(result.values).toEqual({});
    expect(result.ambiguous).toEqual(['csrf']);
  });

  it('flags a duplicate whose copies are spaced differently', () => {
    const result = readCookies('__Host-session=a;\t__Host-session =b; __Host-csrf=c', names);
    expect(result.values).toEqual({ csrf: 'c' });
    expect(result.ambiguous).toEqual(['session']);
  });

  it('does not mistake our name inside another cookie for a second copy', () => {
    const result = readCookies('note=__Host-session; __Host-session=v; x__Host-session=w', names);
    expect(result.values).toEqual({ session: 'v' });
    expect(result.ambiguous).toEqual([]);
  });

  it('flags an empty duplicate too', () => {
    expect(readCookies('__Host-session=v; __Host-session=', names).ambiguous).toEqual(['session']);
  });

  it('does not confuse names that differ in case or prefix', () => {
    const result = readCookies('__host-session=evil; session=evil; __Host-session=good', names);
    expect(result.values).toEqual({ session: 'good' });
    expect(result.ambiguous).toEqual([]);
  });

  it('tolerates whitespace as the cookie library does', () => {
    expect(readCookies('  __Host-session = v1 ;__Host-csrf=v2', names).values).toEqual({
      session: 'v1',
      csrf: 'v2',
    });
  });

  it('keeps a configured name such as __proto__ inert', () => {
    const result = readCookies('__proto__=x; constructor=y', {
      session: '__proto__',
      csrf: 'csrf',
    });
    expect(result.values).toEqual({ session: 'x' });
    expect(Object.getPrototypeOf(result.values)).toBe(Object.prototype);
  });

  it('property: never throws, and only ever returns our keys', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const result = readCookies(header, names);
        for (const key of Object.keys(result.values))
          expect(['session', 'refresh', 'csrf']).toContain(key);
        for (const value of Object.values(result.values)) expect(value).not.toBe('');
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a name sent twice is never returned', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(value, value, fc.string({ maxLength: 40 }), (a, b, noise) => {
        const clean = noise.replaceAll('__Host-session', '');
        const result = readCookies(`__Host-session=${a}; ${clean}; __Host-session=${b}`, names);
        expect(result.values.session).toBeUndefined();
        expect(result.ambiguous).toContain('session');
      }),
      { numRuns: 500 },
    );
  });
});
