import { describe, expect, it } from 'vitest';
import { resolveHttpAuthOptions } from '../../src/http/options.ts';
import {
  ConfigError,
  closestName,
  createSessionManager,
  resolveCookieConfig,
  resolveCsrfConfig,
  type SessionManagerOptions,
  unknownOptionIssues,
} from '../../src/index.ts';
import { memoryStore } from '../../src/memory.ts';
import { HS_KEY, jwtOptions, SECRET } from '../helpers.ts';

// A value that must never appear in a message, whatever option it is given to.
const CANARY = 'canary-value-3f9a1c7e5b2d8f4a6c0e9b7d3f1a5c8e';

function issuesOf(options: Record<string, unknown>): string[] {
  try {
    createSessionManager({ store: memoryStore(), secret: SECRET, ...options } as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(message).not.toContain(CANARY);
    return [...issues];
  }
  throw new Error('expected a ConfigError');
}

const jwt = { ...jwtOptions, keys: [{ kid: 'a', alg: 'HS256' as const, secret: HS_KEY }] };

describe('unknown options are refused at every level, with the closest known name', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ stratgey: CANARY }, 'stratgey: unknown option (did you mean `strategy`?)'],
    [{ secrets: CANARY }, 'secrets: unknown option (did you mean `secret`?)'],
    [
      { maxSessionPerUser: CANARY },
      'maxSessionPerUser: unknown option (did you mean `maxSessionsPerUser`?)',
    ],
    [{ cookie: CANARY }, 'cookie: unknown option (did you mean `cookies`?)'],
    [{ colour: CANARY }, 'colour: unknown option'],
    [
      { sessions: { standard: { idleTimout: CANARY } } },
      'sessions.standard.idleTimout: unknown option (did you mean `idleTimeout`?)',
    ],
    [
      { sessions: { kiosk: { absoluteTimeOut: CANARY } } },
      'sessions.kiosk.absoluteTimeOut: unknown option (did you mean `absoluteTimeout`?)',
    ],
    [
      { strategy: 'jwt', jwt: { ...jwt, isuer: CANARY } },
      'jwt.isuer: unknown option (did you mean `issuer`?)',
    ],
    [
      { strategy: 'jwt', jwt: { ...jwt, accessTokenTTL: CANARY } },
      'jwt.accessTokenTTL: unknown option (did you mean `accessTokenTtl`?)',
    ],
    [
      { strategy: 'jwt', jwt: { ...jwt, keys: [{ kid: 'a', alg: 'HS256', secert: CANARY }] } },
      'jwt.keys: key "a": secert: unknown option (did you mean `secret`?)',
    ],
    [
      {
        strategy: 'jwt',
        jwt: { ...jwt, keys: [...jwt.keys, { kid: 'b', alg: 'EdDSA', publickey: CANARY }] },
      },
      'jwt.keys: key "b": publickey: unknown option (did you mean `publicKey`?)',
    ],
    [
      { refresh: { reuseWindw: CANARY } },
      'refresh.reuseWindw: unknown option (did you mean `reuseWindow`?)',
    ],
    [
      { maxSessionsPerUser: { limit: 3, polcy: CANARY } },
      'maxSessionsPerUser.polcy: unknown option (did you mean `policy`?)',
    ],
    [
      { binding: { userAgnet: CANARY } },
      'binding.userAgnet: unknown option (did you mean `userAgent`?)',
    ],
    [{ binding: { IP: CANARY } }, 'binding.IP: unknown option (did you mean `ip`?)'],
    [
      { revocation: { stalenes: CANARY } },
      'revocation.stalenes: unknown option (did you mean `staleness`?)',
    ],
    [{ cookies: { secrue: CANARY } }, 'cookies: secrue: unknown option (did you mean `secure`?)'],
    [
      { cookies: { names: { sesion: CANARY } } },
      'cookies: names.sesion: unknown option (did you mean `session`?)',
    ],
    [
      { csrf: { trustedOrigins: ['https://app.example.com'], trustedOrigin: CANARY } },
      'csrf.trustedOrigin: unknown option (did you mean `trustedOrigins`?)',
    ],
  ];
  it.each(cases.map(([options, expected]) => [expected, options] as const))(
    '%s',
    (expected, options) => {
      expect(issuesOf(options)).toContain(expected);
    },
  );

  it('lists every unknown key of every level in one ConfigError', () => {
    const issues = issuesOf({
      stratgey: 'jwt',
      refresh: { reuseWindw: '5s' },
      cookies: { secrue: false },
    });
    expect(issues.filter((i) => i.includes('unknown option'))).toHaveLength(3);
  });

  it('refuses a misspelt key even when its value is undefined (it is still a mistake)', () => {
    expect(issuesOf({ stratgey: undefined })).toEqual([
      'stratgey: unknown option (did you mean `strategy`?)',
    ]);
  });

  it('accepts every documented option', () => {
    const options: SessionManagerOptions = {
      store: memoryStore(),
      secret: SECRET,
      strategy: 'jwt',
      jwt,
      sessions: { standard: { idleTimeout: '10m' }, kiosk: { persistent: false } },
      refresh: { reuseWindow: '5s' },
      maxSessionsPerUser: { limit: 3, policy: 'reject' },
      binding: { userAgent: 'event', ip: 'off' },
      revocation: { staleness: '1s', maxEntries: 10 },
      cookies: { sameSite: 'strict', names: { session: '__Host-s' } },
      csrf: { trustedOrigins: ['https://app.example.com'] },
    };
    expect(() => createSessionManager(options)).not.toThrow();
  });

  it('checks the HTTP options of the bindings, suggesting the binding-only sessionIdParam', () => {
    const issuesOfHttp = (options: object): readonly string[] => {
      try {
        resolveHttpAuthOptions(options as never);
      } catch (error) {
        expect((error as ConfigError).message).not.toContain(CANARY);
        return (error as ConfigError).issues;
      }
      return [];
    };
    expect(issuesOfHttp({ bodyLimt: CANARY })).toEqual([
      'http.bodyLimt: unknown option (did you mean `bodyLimit`?)',
    ]);
    expect(issuesOfHttp({ sessionIdparam: CANARY })).toEqual([
      'http.sessionIdparam: unknown option (did you mean `sessionIdParam`?)',
    ]);
    // Suggested, never accepted: createHttpAuth has no route parameters.
    expect(issuesOfHttp({ sessionIdParam: 'id' })).toEqual(['http.sessionIdParam: unknown option']);
  });

  it('reports relative paths from the cookie and CSRF resolvers', () => {
    expect(resolveCookieConfig({ sameSIte: CANARY } as never).issues).toEqual([
      'sameSIte: unknown option (did you mean `sameSite`?)',
    ]);
    expect(
      resolveCsrfConfig({ trustedOrigins: ['https://a.example'], headername: CANARY } as never)
        .issues,
    ).toEqual(['headername: unknown option (did you mean `headerName`?)']);
  });
});

describe('unknownOptionIssues and closestName', () => {
  it('suggests by edit distance, with swaps of neighbours counting once, and only when near', () => {
    expect(closestName('stratgey', ['store', 'strategy', 'secret'])).toBe('strategy');
    expect(closestName('SECRET', ['store', 'strategy', 'secret'])).toBe('secret');
    expect(closestName('timeout', ['idleTimeout', 'absoluteTimeout'])).toBe(null);
    expect(closestName('x', ['ip'])).toBe(null);
    expect(closestName('ipp', ['ip'])).toBe('ip');
  });

  it('quotes keys only, shortened and printable, and never a value', () => {
    const long = `${'k'.repeat(100)}\n`;
    const [issue] = unknownOptionIssues({ [long]: CANARY }, { strategy: true });
    expect(issue).toBe(`${'k'.repeat(61)}...: unknown option`);
    expect(unknownOptionIssues(null, { a: true })).toEqual([]);
    expect(unknownOptionIssues({ bx: 1 }, { a: true }, { path: 'p', suggest: ['by'] })).toEqual([
      'p.bx: unknown option (did you mean `by`?)',
    ]);
    expect(unknownOptionIssues({ b: 1 }, { a: true })).toEqual(['b: unknown option']);
  });
});
