import { expect } from 'vitest';
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
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

/** Store calls per operation since the last `reset()`, as the manager's own metrics count them. */
export function storeCalls(sess: SessionManager): {
  readonly calls: Record<string, number>;
  reset(): void;
} {
  const counts = () =>
    Object.entries(sess.metrics().store).map(([operation, m]) => [operation, m.calls] as const);
  let base = new Map(counts());
  return {
    get calls() {
      const since = counts().map(([op, calls]) => [op, calls - (base.get(op) ?? 0)] as const);
      return Object.fromEntries(since.filter(([, calls]) => calls > 0));
    },
    reset() {
      base = new Map(counts());
    },
  };
}

export const jwtOptions = {
  keys: [{ kid: 'k1', alg: 'HS256' as const, secret: HS_KEY }],
  issuer: 'https://auth.example.com',
  audience: 'https://api.example.com',
};

/** A manager over a fresh memory store with a frozen clock. */
export function setup(overrides: Partial<SessionManagerOptions> = {}) {
  const clock = frozenClock();
  const store = memoryStore({ clock });
  const sess = createSessionManager({ store, secret: SECRET, clock, ...overrides });
  return { sess, store, clock, counter: storeCalls(sess) };
}

/**
 * Asserts that `value` inherits nothing: its prototype is null, or an empty object whose own
 * prototype is null (verified claims: one fast shape, nothing from `Object.prototype`).
 */
export function expectInheritsNothing(value: object): void {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null) return;
  expect(Reflect.ownKeys(proto)).toEqual([]);
  expect(Object.getPrototypeOf(proto)).toBeNull();
  expect('toString' in value || 'constructor' in value || 'hasOwnProperty' in value).toBe(false);
}
