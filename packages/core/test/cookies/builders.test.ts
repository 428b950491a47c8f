import { parseSetCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import {
  clearCookies,
  csrfCookie,
  refreshCookie,
  sessionCookie,
} from '../../src/cookies/builders.ts';
import { resolveCookieConfig } from '../../src/cookies/config.ts';
import { MAX_COOKIE_BYTES, serializeCookie } from '../../src/cookies/serialize.ts';
import type { CookieInstruction } from '../../src/cookies/types.ts';
import { CookieTooLargeError } from '../../src/errors.ts';

const cookies = resolveCookieConfig().value;

describe('cookie builders', () => {
  it('builds the session cookie with the secure defaults', () => {
    const header = serializeCookie(sessionCookie(cookies, 'sid.secret', 3600));
    expect(header).toBe(
      '__Host-session=sid.secret; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('omits Max-Age for a browser-session cookie and rounds a fractional one down', () => {
    expect(sessionCookie(cookies, 'v').options.maxAge).toBeUndefined();
    expect(sessionCookie(cookies, 'v', 59.9).options.maxAge).toBe(59);
  });

  it('refuses a negative or non-finite Max-Age', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sessionCookie(cookies, 'v', bad)).toThrow(RangeError);
    }
  });

  it('scopes the refresh cookie to the refresh path', () => {
    const header = serializeCookie(refreshCookie(cookies, 'rt', 60));
    expect(parseSetCookie(header)).toMatchObject({
      name: '__Secure-refresh',
      path: '/auth/refresh',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
    });
  });

  it('builds an HttpOnly CSRF cookie on Path=/', () => {
    expect(csrfCookie(cookies, 'pre-session-id')).toEqual({
      name: '__Host-csrf',
      value: 'pre-session-id',
      options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/' },
    });
  });

  it('carries the domain and Partitioned when configured', () => {
    const shared = resolveCookieConfig({
      domain: 'example.com',
      partitioned: true,
      sameSite: 'none',
    }).value;
    expect(serializeCookie(sessionCookie(shared, 'v'))).toBe(
      '__Secure-session=v; Domain=example.com; Path=/; HttpOnly; Secure; Partitioned; SameSite=None',
    );
  });

  it('returns frozen instructions', () => {
    const cookie = sessionCookie(cookies, 'v', 1);
    expect(Object.isFrozen(cookie) && Object.isFrozen(cookie.options)).toBe(true);
  });

  describe('clearCookies', () => {
    const configs = {
      defaults: cookies,
      'shared domain': resolveCookieConfig({ domain: 'example.com', sameSite: 'strict' }).value,
      'local http': resolveCookieConfig({ secure: false, refreshPath: '/api/refresh' }).value,
    };

    it.each(Object.entries(configs))(
      'mirrors the set attributes with Max-Age=0 (%s)',
      (_, config) => {
        const set = [
          sessionCookie(config, 'a', 100),
          refreshCookie(config, 'b', 100),
          csrfCookie(config, 'c'),
        ];
        const cleared = clearCookies(config);
        expect(cleared).toHaveLength(3);
        cleared.forEach((clear: CookieInstruction, i) => {
          const { maxAge: _, ...setOptions } = set[i]!.options;
          const { maxAge, ...clearOptions } = clear.options;
          expect(clear.name).toBe(set[i]!.name);
          expect(clear.value).toBe('');
          expect(maxAge).toBe(0);
          expect(clearOptions).toEqual(setOptions);
        });
      },
    );

    it('serialises to headers that delete the cookies', () => {
      expect(clearCookies(cookies).map(serializeCookie)).toEqual([
        '__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
        '__Secure-refresh=; Max-Age=0; Path=/auth/refresh; HttpOnly; Secure; SameSite=Lax',
        '__Host-csrf=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      ]);
    });
  });
});

describe('serializeCookie size limit', () => {
  // Pads the value so the whole header is exactly `bytes` long.
  const sized = (bytes: number) => {
    const overhead = serializeCookie(sessionCookie(cookies, '', 60)).length;
    return sessionCookie(cookies, 'x'.repeat(bytes - overhead), 60);
  };

  it(`accepts a header of exactly ${MAX_COOKIE_BYTES} bytes`, () => {
    expect(serializeCookie(sized(4096))).toHaveLength(4096);
  });

  it('refuses 4097 bytes with CookieTooLargeError naming the cookie, never its value', () => {
    const error = (() => {
      try {
        serializeCookie(sized(4097));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CookieTooLargeError);
    expect(error).toMatchObject({
      code: 'ERR_SESS_COOKIE_TOO_LARGE',
      cookieName: '__Host-session',
      size: 4097,
    });
    expect((error as Error).message).not.toContain('xxxx');
  });

  it('counts bytes after percent-encoding, not characters', () => {
    const overhead = serializeCookie(sessionCookie(cookies, '', 60)).length;
    // 'é' becomes %C3%A9: 6 bytes per character once encoded.
    const chars = Math.floor((4096 - overhead) / 6) + 1;
    expect(() => serializeCookie(sessionCookie(cookies, 'é'.repeat(chars), 60))).toThrow(
      CookieTooLargeError,
    );
    expect(() => serializeCookie(sessionCookie(cookies, 'é'.repeat(chars - 1), 60))).not.toThrow();
  });
});
