import type { SessionStore } from '@sess/core';

/** The store methods that change data. */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'delete',
  'deleteByUser',
  'deny',
  'setNotBefore',
  'deleteExpired',
]);

/** A store that counts its calls per method; everything else passes through unchanged. */
export interface CountingStore extends SessionStore {
  readonly calls: Record<string, number>;
  reset(): void;
}

/** Wraps `inner` so every method call is counted (broadcast `subscribe` included, uncounted). */
export function countingStore(inner: SessionStore): CountingStore {
  const calls: Record<string, number> = {};
  const counted = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'subscribe') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return Object.assign(counted, {
    calls,
    reset() {
      for (const key of Object.keys(calls)) delete calls[key];
    },
  });
}
