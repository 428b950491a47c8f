/**
 * Configuration validation on random option objects: `resolveConfig` (and so
 * `createSessionManager`) returns a configuration that satisfies every documented rule, or throws
 * one ConfigError listing the problems; never a TypeError from poking at a malformed value, and
 * never quoting a secret or key material.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type SessionManagerOptions } from '../../src/config.ts';
import { resolveCookieConfig } from '../../src/cookies/config.ts';
import { resolveCsrfConfig } from '../../src/csrf/config.ts';
import { createCsrfTokens } from '../../src/csrf/tokens.ts';
import { createKeyring } from '../../src/jwt/keyring.ts';
import { createSessionManager } from '../../src/manager.ts';
import { memoryStore } from '../../src/memory.ts';
import { durationMs, parseDuration } from '../../src/util/duration.ts';
import { frozenClock, HS_KEY, SECRET } from '../helpers.ts';
import {
  anyValue,
  expectReturnedOrTyped,
  expectTyped,
  MARKER,
  settle,
  settleSync,
} from './support.ts';

const RUNS = { numRuns: 500 };

/** Either a plausible value from `good`, or anything at all. */
const or = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: anyValue });

const duration = or(
  fc.oneof(
    fc.constantFrom('15m', '30s', '1h', '8h', '14d', '0s', '500ms', '1.5h', ' 5m ', '2w'),
    fc.constantFrom('-1s', '1e3s', '15 m', 'NaN', 'Infinity', `${'9'.repeat(400)}w`, '5'),
    fc.integer({ min: -10, max: 100_000 }),
    fc.double(),
  ),
);

// Secrets and key material carry the marker: no error may quote them.
const secret = or(
  fc.oneof(
    fc.constant(`${SECRET}${MARKER}`),
    fc.string().map((s) => `${MARKER}${s}`),
    fc.array(
      fc.oneof(
        fc.constant(`${SECRET}${MARKER}`),
        fc.string().map((s) => MARKER + s),
        anyValue,
      ),
      {
        maxLength: 3,
      },
    ),
  ),
);
const key = or(
  fc.record(
    {
      kid: or(fc.constantFrom('k1', 'k2', '', 'a b', 'k\u0000')),
      alg: or(fc.constantFrom('HS256', 'EdDSA', 'ES256', 'RS256', 'none', 'hs256')),
      secret: or(
        fc.oneof(
          fc.constant(`${HS_KEY}${MARKER}`),
          fc.string().map((s) => MARKER + s),
        ),
      ),
      privateKey: or(
        fc.constantFrom(`-----BEGIN PRIVATE KEY-----${MARKER}`, `${MARKER}-----BEGIN RSA`),
      ),
      publicKey: or(
        fc.constantFrom(`-----BEGIN PUBLIC KEY-----${MARKER}`, { kty: 'OKP', d: MARKER }),
      ),
    },
    { requiredKeys: [] },
  ),
);
const sessionClass = or(
  fc.record(
    {
      idleTimeout: duration,
      absoluteTimeout: duration,
      renewalInterval: fc.oneof(duration, fc.constant(false)),
      persistent: or(fc.boolean()),
    },
    { requiredKeys: [] },
  ),
);
const cookieOptions = or(
  fc.record(
    {
      secure: or(fc.boolean()),
      sameSite: or(fc.constantFrom('lax', 'strict', 'none', 'Lax')),
      domain: or(fc.constantFrom('example.com', '.example.com', 'EXAMPLE.com', 'a..b', '')),
      partitioned: or(fc.boolean()),
      names: or(
        fc.record(
          {
            session: or(fc.constantFrom('sid', '__Host-sid', 'a b', '')),
            refresh: or(fc.constantFrom('rt', '__Secure-rt', 'sid')),
            csrf: or(fc.constantFrom('csrf', '__Host-csrf', ';')),
          },
          { requiredKeys: [] },
        ),
      ),
      refreshPath: or(fc.constantFrom('/auth/refresh', '/', 'auth', '/a b')),
    },
    { requiredKeys: [] },
  ),
);
const csrfOptions = or(
  fc.record(
    {
      trustedOrigins: or(
        fc.array(or(fc.constantFrom('https://app.example.com', 'https://*.example.com', 'x'))),
      ),
      mode: or(fc.constantFrom('synchronizer', 'double-submit', 'origin-only', 'none')),
      headerName: or(fc.constantFrom('x-csrf-token', 'content-type', 'X-Token', 'a b')),
      formField: or(fc.constantFrom('_csrf', '')),
      allowSameSite: or(fc.boolean()),
      allowMissingOrigin: or(fc.boolean()),
    },
    { requiredKeys: [] },
  ),
);
const options = fc.record(
  {
    store: or(fc.constant(memoryStore())),
    strategy: or(fc.constantFrom('database', 'jwt', 'hybrid', 'JWT', '__proto__', 'toString')),
    preset: or(fc.constantFrom('b2b', 'b2c', 'internal', 'constructor', '__proto__', 'toString')),
    secret,
    sessions: or(
      fc.dictionary(
        fc.constantFrom('standard', 'rememberMe', 'admin', '__proto__', 'constructor'),
        sessionClass,
      ),
    ),
    jwt: or(
      fc.record(
        {
          keys: or(fc.array(key, { maxLength: 3 })),
          issuer: or(fc.constantFrom('https://auth.example.com', '')),
          audience: or(fc.constantFrom('https://api.example.com', '')),
          accessTokenTtl: duration,
          clockSkew: duration,
          maxTokenLength: or(fc.integer({ min: 0, max: 100_000 })),
          customClaims: or(
            fc.array(or(fc.constantFrom('role', 'sub', '__proto__', 'a b', 'role'))),
          ),
          tokenCacheSize: or(fc.integer({ min: -1, max: 2_000_000 })),
        },
        { requiredKeys: [] },
      ),
    ),
    refresh: or(fc.record({ reuseWindow: duration }, { requiredKeys: [] })),
    maxSessionsPerUser: or(
      fc.record(
        {
          limit: or(fc.integer({ min: -1, max: 10 })),
          policy: or(fc.constantFrom('evict-oldest', 'reject', 'drop')),
        },
        { requiredKeys: [] },
      ),
    ),
    binding: or(
      fc.record(
        {
          userAgent: or(fc.constantFrom('off', 'event', 'revoke', 'on')),
          ip: or(fc.constantFrom('off', 'event', 'revoke', 'on')),
        },
        { requiredKeys: [] },
      ),
    ),
    touchFraction: or(fc.double({ min: -1, max: 2 })),
    revocation: or(
      fc.record(
        { staleness: duration, maxEntries: or(fc.integer({ min: -1, max: 100 })) },
        { requiredKeys: [] },
      ),
    ),
    cookies: cookieOptions,
    csrf: csrfOptions,
    clock: or(fc.constant(frozenClock())),
  },
  { requiredKeys: [] },
);

const STRATEGIES = ['database', 'jwt', 'hybrid'];

describe('configuration', () => {
  it('resolveConfig returns a configuration that keeps every rule, or throws ConfigError only', () => {
    fc.assert(
      fc.property(fc.oneof(options, anyValue), (input) => {
        const settled = settleSync(() => resolveConfig(input as SessionManagerOptions));
        expectReturnedOrTyped(settled, ['ERR_SESS_CONFIG']);
        if (!settled.ok) return;
        const config = settled.value;
        const o = input as Record<string, unknown>;
        expect(STRATEGIES).toContain(config.strategy);
        expect([undefined, 'b2b', 'b2c', 'internal']).toContain(o.preset);
        expect(config.secrets.length).toBeGreaterThan(0);
        for (const s of config.secrets) expect(s.length).toBeGreaterThanOrEqual(32);
        for (const [, cls] of config.classes) {
          expect(Number.isSafeInteger(cls.idleMs) && cls.idleMs > 0).toBe(true);
          expect(Number.isSafeInteger(cls.absoluteMs) && cls.absoluteMs >= cls.idleMs).toBe(true);
          if (cls.renewalMs !== null) expect(Number.isSafeInteger(cls.renewalMs)).toBe(true);
        }
        expect(config.reuseWindowMs >= 0 && config.reuseWindowMs <= 60_000).toBe(true);
        expect(config.touchFraction >= 0 && config.touchFraction < 1).toBe(true);
        expect(Number.isSafeInteger(config.stalenessMs) && config.stalenessMs >= 0).toBe(true);
        if (config.strategy !== 'database') expect(config.jwt).not.toBeNull();
      }),
      RUNS,
    );
  });

  it('createSessionManager constructs or throws ConfigError only', () => {
    fc.assert(
      fc.property(options, (input) => {
        const settled = settleSync(() => createSessionManager(input as SessionManagerOptions));
        expectReturnedOrTyped(settled, ['ERR_SESS_CONFIG']);
        if (settled.ok) settled.value.close();
      }),
      { numRuns: 200 },
    );
  });

  it('resolveCookieConfig and resolveCsrfConfig never throw: every problem is an issue', () => {
    fc.assert(
      fc.property(cookieOptions, csrfOptions, (cookieInput, csrfInput) => {
        const cookies = settleSync(() => resolveCookieConfig(cookieInput as never));
        expect(cookies.ok, String(!cookies.ok && cookies.error)).toBe(true);
        const csrf = settleSync(() => resolveCsrfConfig(csrfInput as never));
        expect(csrf.ok, String(!csrf.ok && csrf.error)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('createKeyring accepts or throws ConfigError, never quoting key material', () => {
    fc.assert(
      fc.property(or(fc.array(key, { maxLength: 3 })), (keys) => {
        const settled = settleSync(() => createKeyring(keys as never));
        expectReturnedOrTyped(settled, ['ERR_SESS_CONFIG']);
      }),
      RUNS,
    );
  });

  it('createCsrfTokens refuses a bad key with ConfigError, at once or on first use', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (k) => {
        const created = settleSync(() => createCsrfTokens(k as Uint8Array));
        expectReturnedOrTyped(created, ['ERR_SESS_CONFIG']);
        if (!created.ok) return;
        const issued = await settle(() => created.value.issue('session|x'));
        expectReturnedOrTyped(issued, ['ERR_SESS_CONFIG']);
      }),
      { numRuns: 200 },
    );
  });

  it('durations parse to a safe number of milliseconds, or are refused with ConfigError', () => {
    fc.assert(
      fc.property(duration, (value) => {
        const parsed = settleSync(() => parseDuration(value));
        expect(parsed.ok).toBe(true);
        if (parsed.ok && parsed.value !== null) {
          expect(Number.isSafeInteger(parsed.value) && parsed.value >= 0).toBe(true);
        }
        const ms = settleSync(() => durationMs(value as never, 'option'));
        expectReturnedOrTyped(ms, ['ERR_SESS_CONFIG']);
      }),
      RUNS,
    );
  });

  it('requireFresh takes any maxAge: passes, NotFresh, or ConfigError', () => {
    const sess = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      clock: frozenClock(),
    });
    fc.assert(
      fc.property(duration, fc.option(fc.integer(), { nil: null }), (maxAge, at) => {
        const settled = settleSync(() =>
          sess.requireFresh({ authenticatedAt: at }, maxAge as never),
        );
        if (!settled.ok) expectTyped(settled.error, ['ERR_SESS_CONFIG', 'ERR_SESS_NOT_FRESH']);
      }),
      RUNS,
    );
  });
});
