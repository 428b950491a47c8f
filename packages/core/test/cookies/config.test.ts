import { describe, expect, it } from 'vitest';
import { type CookieConfig, resolveCookieConfig } from '../../src/cookies/config.ts';

const issuesOf = (config: unknown) => resolveCookieConfig(config as CookieConfig).issues;

describe('resolveCookieConfig', () => {
  it('defaults to prefixed, generic names and secure attributes', () => {
    const { value, issues } = resolveCookieConfig();
    expect(issues).toEqual([]);
    expect(value.names).toEqual({
      session: '__Host-session',
      refresh: '__Secure-refresh',
      csrf: '__Host-csrf',
      guest: '__Host-guest',
    });
    expect(value.refreshPath).toBe('/auth/refresh');
    expect(value.attributes).toEqual({ httpOnly: true, secure: true, sameSite: 'lax' });
    expect(Object.isFrozen(value) && Object.isFrozen(value.names)).toBe(true);
  });

  it('never reveals the library in the default names', () => {
    for (const name of Object.values(resolveCookieConfig().value.names)) {
      expect(name.toLowerCase()).not.toMatch(/sess(?!ion)|sess-|sid/);
    }
  });

  it('drops the prefixes when secure is off (local http development)', () => {
    const { value, issues } = resolveCookieConfig({ secure: false });
    expect(issues).toEqual([]);
    expect(value.names).toEqual({
      session: 'session',
      refresh: 'refresh',
      csrf: 'csrf',
      guest: 'guest',
    });
    expect(value.attributes.secure).toBe(false);
  });

  it('switches the defaults to __Secure- when a domain is set', () => {
    const { value, issues } = resolveCookieConfig({ domain: '.Example.COM' });
    expect(issues).toEqual([]);
    expect(value.names.session).toBe('__Secure-session');
    expect(value.names.csrf).toBe('__Secure-csrf');
    expect(value.attributes.domain).toBe('example.com');
  });

  it('accepts custom names and a custom refresh path', () => {
    const { value, issues } = resolveCookieConfig({
      names: { session: '__Host-id', refresh: '__Secure-rt', csrf: '__Host-x' },
      refreshPath: '/api/v1/token',
      sameSite: 'strict',
      partitioned: true,
    });
    expect(issues).toEqual([]);
    expect(value.names).toEqual({
      session: '__Host-id',
      refresh: '__Secure-rt',
      csrf: '__Host-x',
      guest: '__Host-guest',
    });
    expect(value.attributes).toMatchObject({ sameSite: 'strict', partitioned: true });
  });

  it('refuses SameSite=None without Secure', () => {
    expect(issuesOf({ sameSite: 'none', secure: false })).toEqual([
      expect.stringMatching(/^sameSite: 'none' requires secure/),
    ]);
    expect(issuesOf({ sameSite: 'none' })).toEqual([]);
  });

  it('refuses a __Host- name with a domain', () => {
    expect(issuesOf({ domain: 'example.com', names: { session: '__Host-s' } })).toEqual([
      'names.session: a __Host- name forbids a domain',
    ]);
  });

  it('refuses a __Host- name on a path other than /', () => {
    expect(issuesOf({ names: { refresh: '__Host-refresh' } })).toEqual([
      'names.refresh: a __Host- name requires Path=/',
    ]);
    expect(issuesOf({ names: { refresh: '__Host-refresh' }, refreshPath: '/' })).toEqual([]);
  });

  it('refuses prefixed names without Secure, matching the prefix case-insensitively', () => {
    expect(issuesOf({ secure: false, names: { session: '__host-s', csrf: '__SECURE-c' } })).toEqual(
      [
        'names.session: a __Host- or __Secure- name requires secure: true',
        'names.csrf: a __Host- or __Secure- name requires secure: true',
      ],
    );
  });

  it.each(['', 'a b', 'a=b', 'a;b', 'a,b', 'séance', '(x)', 'a"b'])(
    'refuses the invalid cookie name %j',
    (name) => {
      expect(issuesOf({ names: { session: name } })).toEqual([
        expect.stringMatching(/^names\.session: not a valid cookie name/),
      ]);
    },
  );

  it('refuses duplicate names', () => {
    expect(issuesOf({ names: { session: '__Host-a', csrf: '__Host-a' } })).toEqual([
      'names: session, refresh, csrf and guest must be distinct',
    ]);
  });

  it.each(['auth/refresh', '', '/a;b', '/a b', '/a?x=1', '/a#b'])(
    'refuses the refresh path %j',
    (refreshPath) => {
      expect(issuesOf({ refreshPath })).toContain(
        `refreshPath: must be a URL path starting with '/'`,
      );
    },
  );

  it('refuses invalid domains', () => {
    for (const domain of [
      '',
      'exa mple.com',
      'example.com/',
      '-a.com',
      'a..com',
      'example.com;x',
    ]) {
      expect(issuesOf({ domain })).toEqual(['domain: must be a host name such as example.com']);
    }
  });

  it('reports every problem at once, never throwing', () => {
    const issues = issuesOf({
      secure: 'yes',
      sameSite: 'loose',
      partitioned: 1,
      names: { session: 'a b', sesion: 'x' },
      refreshPath: 'nope',
      cookieName: 'x',
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'cookieName: unknown option',
        'secure: must be a boolean',
        `sameSite: must be 'lax', 'strict' or 'none'`,
        'partitioned: must be a boolean',
        'names.sesion: unknown option (did you mean `session`?)',
        `refreshPath: must be a URL path starting with '/'`,
        expect.stringMatching(/^names\.session: not a valid cookie name/),
      ]),
    );
    expect(issuesOf(null)).toContain('must be an object');
    expect(issuesOf({ names: 'x' })).toContain('names: must be an object');
  });

  it('refuses Partitioned without Secure', () => {
    expect(issuesOf({ partitioned: true, secure: false })).toEqual([
      'partitioned: requires secure: true',
    ]);
  });
});
