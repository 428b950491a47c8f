import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
  type Strategy,
  silentLogger,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';

/** The only origin the test apps trust. */
export const ORIGIN = 'https://app.example';
const SECRET = 'behaviour-suite-secret-7c1e9a4f2b8d6e3c5a1f9b7d';
const HS_KEY = 'behaviour-suite-hs256-key-3e8a1c6f9b2d5e7a4c';
const T0 = Date.parse('2026-03-01T09:00:00Z');

/** A clock that moves only when told. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** A manager over a memory store that the test can break, with a frozen clock. */
export interface Fixture {
  readonly sess: SessionManager;
  readonly clock: TestClock;
  /** While true, every store call rejects (the backend is down). */
  broken: boolean;
}

/** Builds a {@link Fixture} for `strategy`; `overrides` go to `createSessionManager`. */
export function fixture(
  strategy: Strategy,
  overrides: Partial<SessionManagerOptions> = {},
): Fixture {
  let now = T0;
  const clock: TestClock = {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
  const inner = memoryStore({ clock });
  const state = { broken: false };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'subscribe') return value;
      return (...args: unknown[]) =>
        state.broken ? Promise.reject(new Error('backend down')) : value.apply(target, args);
    },
  }) as SessionStore;
  const sess = createSessionManager({
    store,
    strategy,
    secret: SECRET,
    clock,
    // Tests that break the store on purpose would fill the output with the default logger's lines.
    logger: silentLogger,
    csrf: { trustedOrigins: [ORIGIN] },
    ...(strategy === 'database'
      ? {}
      : {
          jwt: {
            keys: [{ kid: 'k1', alg: 'HS256', secret: HS_KEY }],
            issuer: 'https://auth.example',
            audience: 'https://api.example',
          },
        }),
    ...overrides,
  });
  return Object.defineProperty({ sess, clock } as Fixture, 'broken', {
    get: () => state.broken,
    set: (value: boolean) => {
      state.broken = value;
    },
    enumerable: true,
  });
}
