import { describe, expect, it } from 'vitest';
import type { Overrides } from '../../src/guarantees/app.ts';
import { TIMING } from '../../src/guarantees/app.ts';
import { STRATEGIES, startupRefusal } from '../../src/guarantees/matrix.ts';

// Configurations sess must refuse at startup, with a ConfigError (`ERR_SESS_CONFIG`) whose
// message says why (weak keys and secrets: ASVS 11.2.3, 9.1.2; the CSRF header: 3.5.1; the
// limits the other families rely on). One cell per strategy: the refusal happens in
// `createSessionManager`, before any client exists, so the client modes have nothing to vary.
const REFUSED: readonly {
  option: string;
  overrides: Overrides;
  why: RegExp;
  /** Strategies the option means something in (the others sign no access tokens). */
  only?: readonly ('jwt' | 'hybrid')[];
}[] = [
  {
    option: 'a server secret under 32 bytes',
    overrides: { secret: 'short-secret' },
    why: /secret/,
  },
  {
    option: 'a well-known server secret',
    overrides: { secret: 'a-string-secret-at-least-256-bits-long' },
    why: /secret/,
  },
  {
    option: 'an HS256 key under 32 bytes',
    overrides: { jwt: { keys: [{ kid: 'k1', alg: 'HS256', secret: 'short' }] } },
    why: /jwt\.keys/,
    only: ['jwt', 'hybrid'],
  },
  {
    option: 'a clock skew over 5 minutes',
    overrides: { jwt: { clockSkew: '10m' } },
    why: /jwt\.clockSkew/,
    only: ['jwt', 'hybrid'],
  },
  {
    option: 'an absolute timeout shorter than the idle timeout',
    overrides: { sessions: { standard: { idleTimeout: '2h', absoluteTimeout: '1h' } } },
    why: /absoluteTimeout/,
  },
  {
    option: 'a reuse window over 60 s',
    overrides: { refresh: { reuseWindow: '5m' } },
    why: /refresh\.reuseWindow/,
  },
  {
    option: 'maxSessionsPerUser with a limit of 0',
    overrides: { maxSessionsPerUser: { limit: 0, policy: 'reject' } },
    why: /maxSessionsPerUser\.limit/,
  },
  {
    option: 'an unknown binding policy',
    overrides: { binding: { userAgent: 'block' as 'revoke' } },
    why: /binding\.userAgent/,
  },
  {
    option: 'a CORS-safelisted CSRF header',
    overrides: {
      csrf: { trustedOrigins: ['https://app.example.com'], headerName: 'content-type' },
    },
    why: /headerName/,
  },
];

const CELLS = REFUSED.flatMap((refused) =>
  STRATEGIES.filter((s) => !refused.only || (refused.only as readonly string[]).includes(s)).map(
    (strategy) => ({ ...refused, strategy }),
  ),
);

describe.each(CELLS)('startup: $option × $strategy', ({ overrides, why, strategy }) => {
  it('is refused with a ConfigError that says why', () => {
    const refusal = startupRefusal(strategy, overrides);
    expect(refusal?.code).toBe('ERR_SESS_CONFIG');
    expect(refusal?.message).toMatch(why);
  });
});

describe.each(STRATEGIES)('startup: the matrix’s own options × %s', (strategy) => {
  it('are accepted', () => {
    expect(startupRefusal(strategy, { binding: { userAgent: 'revoke', ip: 'event' } })).toBeNull();
    expect(
      startupRefusal(strategy, { maxSessionsPerUser: { limit: 2, policy: 'reject' } }),
    ).toBeNull();
    expect(TIMING.idleMs).toBeLessThan(TIMING.absoluteMs);
  });
});
