import { describe, expect, it } from 'vitest';
import { describeConfig } from '../src/index.ts';
import { memoryStore } from '../src/memory.ts';
import { HS_KEY, jwtOptions, SECRET } from './helpers.ts';

describe('describeConfig', () => {
  it('applies the defaults, with no store needed', () => {
    const d = describeConfig({ secret: SECRET });
    expect(d).toMatchObject({
      strategy: 'database',
      store: null,
      secrets: 1,
      jwt: null,
      refresh: { reuseWindowMs: 10_000 },
      revocation: { stalenessMs: 5_000, maxEntries: 10_000 },
      timeoutNoticeMs: 86_400_000,
      maxSessionsPerUser: null,
      binding: { userAgent: 'off', ip: 'off' },
      csrf: null,
    });
    expect(d.sessions.standard).toEqual({
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 8 * 3_600_000,
      renewalIntervalMs: 3_600_000,
      persistent: false,
    });
    expect(d.sessions.rememberMe?.persistent).toBe(true);
    expect(d.cookies).toMatchObject({
      refreshPath: '/auth/refresh',
      secure: true,
      sameSite: 'lax',
    });
  });

  it('applies presets and names the store, and never shows a secret or key', () => {
    const d = describeConfig({
      store: memoryStore(),
      secret: [SECRET, `${SECRET}-old`],
      strategy: 'jwt',
      preset: 'b2c',
      jwt: jwtOptions,
      csrf: { trustedOrigins: ['https://app.example.com'] },
    });
    expect(d.store).toBe('memory');
    expect(d.secrets).toBe(2);
    expect(d.jwt).toMatchObject({
      accessTokenTtlMs: 3_600_000,
      keys: [{ kid: 'k1', alg: 'HS256' }],
    });
    expect(d.sessions.standard?.absoluteTimeoutMs).toBe(30 * 86_400_000);
    expect(d.csrf?.trustedOrigins).toEqual(['https://app.example.com']);
    const printed = JSON.stringify(d);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(HS_KEY);
  });

  it('refuses what createSessionManager refuses, in one ConfigError', () => {
    expect(() => describeConfig({ secret: 'short', strategy: 'jwt' })).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG', issues: expect.any(Array) }),
    );
  });
});
