import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createSessionManager,
  parseDuration,
  type SessionManagerOptions,
} from '../src/index.ts';
import { memoryStore } from '../src/memory.ts';
import { HS_KEY, jwtOptions, SECRET } from './helpers.ts';

function issuesOf(options: unknown): string[] {
  try {
    createSessionManager(options as SessionManagerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('lists every problem at once in one ConfigError', () => {
    const issues = issuesOf({
      store: {},
      strategy: 'cookie',
      preset: 'startup',
      secret: 'short',
      sessions: {
        standard: { idleTimeout: '2h', absoluteTimeout: '1h' },
        kiosk: { idleTimeout: 'soon' },
      },
      refresh: { reuseWindow: '5m' },
      maxSessionsPerUser: { limit: 0, policy: 'oldest' },
      binding: { userAgent: 'block' },
      touchFraction: 2,
      revocation: { staleness: -1, maxEntries: 0 },
    });
    for (const expected of [
      'store:',
      'strategy:',
      'preset:',
      'secret: must be at least 32 bytes',
      'sessions.standard.absoluteTimeout',
      'sessions.kiosk.idleTimeout: not a valid duration',
      'refresh.reuseWindow',
      'maxSessionsPerUser.limit',
      'maxSessionsPerUser.policy',
      'binding.userAgent',
      'touchFraction',
      'revocation.staleness',
      'revocation.maxEntries',
    ]) {
      expect(
        issues.some((i) => i.startsWith(expected)),
        expected,
      ).toBe(true);
    }
  });

  it('refuses well-known secrets even when long enough, and never echoes the secret', () => {
    const weak = 'your-256-bit-secret-your-256-bit-secret';
    const issues = issuesOf({ store: memoryStore(), secret: 'a'.repeat(40) });
    expect(issues.join()).toMatch(/guessable/);
    expect(issuesOf({ store: memoryStore(), secret: [SECRET, 'x'.repeat(64)] })[0]).toMatch(
      /^secret\[1\]/,
    );
    try {
      createSessionManager({ store: memoryStore(), secret: weak });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(weak);
    }
  });

  it('requires jwt options for the jwt and hybrid strategies and validates them', () => {
    expect(issuesOf({ store: memoryStore(), secret: SECRET, strategy: 'jwt' })).toEqual([
      'jwt: required for the jwt strategy (keys, issuer, audience)',
    ]);
    const issues = issuesOf({
      store: memoryStore(),
      secret: SECRET,
      strategy: 'hybrid',
      jwt: {
        keys: [{ kid: 'k', alg: 'HS256', secret: 'short' }],
        issuer: '',
        audience: '',
        accessTokenTtl: '0s',
        clockSkew: '1h',
        maxTokenLength: 10,
        customClaims: ['sub'],
      },
    });
    for (const expected of [
      'jwt.keys:',
      'jwt.issuer',
      'jwt.audience',
      'jwt.accessTokenTtl',
      'jwt.clockSkew',
      'jwt.maxTokenLength',
      'jwt.customClaims',
    ]) {
      expect(
        issues.some((i) => i.startsWith(expected)),
        expected,
      ).toBe(true);
    }
    expect(issues.join()).not.toContain('short');
  });

  it('validates cookie and csrf options through the same error', () => {
    const issues = issuesOf({
      store: memoryStore(),
      secret: SECRET,
      cookies: { sameSite: 'none', secure: false },
      csrf: { trustedOrigins: ['https://app.example.com/path'] },
    });
    expect(issues.some((i) => i.startsWith('cookies:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('csrf.trustedOrigins'))).toBe(true);
  });

  it('applies presets and accepts durations as seconds or strings', async () => {
    const sess = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      strategy: 'jwt',
      preset: 'b2c',
      jwt: { ...jwtOptions, keys: [{ kid: 'a', alg: 'HS256', secret: HS_KEY }] },
    });
    const { expiresIn, session } = await sess.create('alice');
    expect(expiresIn).toBe(3600);
    expect(session.absoluteExpiresAt - session.createdAt).toBe(30 * 86_400_000);
    const custom = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      sessions: { standard: { idleTimeout: 600, absoluteTimeout: '1h' } },
    });
    const created = await custom.create('bob');
    expect(created.session.idleExpiresAt - created.session.createdAt).toBe(600_000);
  });

  it('parses durations strictly', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    for (const bad of ['', '15', 'm', '-1s', '1y', '1 m', Number.NaN, -1, null, {}]) {
      expect(parseDuration(bad), String(bad)).toBeNull();
    }
  });

  it('custom session classes get standard defaults plus their own overrides', async () => {
    const sess = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      sessions: { kiosk: { idleTimeout: '2m', absoluteTimeout: '10m' } },
    });
    const { session } = await sess.create('alice', { sessionClass: 'kiosk' });
    expect(session.expiresAt - session.createdAt).toBe(120_000);
    expect(session.absoluteExpiresAt - session.createdAt).toBe(600_000);
  });
});
