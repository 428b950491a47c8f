import {
  createSessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '../src/index.ts';
import { memoryStore } from '../src/memory.ts';

export const SECRET = 'test-secret-4f1c9a7e2b8d6c3a5e9f1b7d2c8a4e6f';
export const HS_KEY = 'hs256-key-9d3f7a1c5e8b2d6f4a9c1e7b3d5f8a2c';
export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A clock that only moves when the test says so. */
export function frozenClock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

/** Wraps a store and counts calls per method, so tests can assert what the hot path does. */
export function countingStore(
  inner: SessionStore,
): SessionStore & { calls: Record<string, number>; reset(): void } {
  const calls: Record<string, number> = {};
  const wrapped = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'subscribe') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return Object.assign(wrapped, {
    calls,
    reset() {
      for (const key of Object.keys(calls)) delete calls[key];
    },
  });
}

export const jwtOptions = {
  keys: [{ kid: 'k1', alg: 'HS256' as const, secret: HS_KEY }],
  issuer: 'https://auth.example.com',
  audience: 'https://api.example.com',
};

/** A manager over a fresh memory store with a frozen clock. */
export function setup(overrides: Partial<SessionManagerOptions> = {}) {
  const clock = frozenClock();
  const store = countingStore(memoryStore({ clock }));
  const sess = createSessionManager({ store, secret: SECRET, clock, ...overrides });
  return { sess, store, clock };
}
