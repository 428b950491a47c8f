import { type SessionStore, type StoreOperation, wrapStore } from '@sess/core';

// A record, so the compiler refuses it until every operation of the contract is classified.
const WRITES: Record<StoreOperation, boolean> = {
  create: true,
  createCapped: true,
  get: false,
  update: true,
  getExpired: false,
  delete: true,
  listByUser: false,
  deleteByUser: true,
  deny: true,
  isDenied: false,
  setNotBefore: true,
  getNotBefore: false,
  recentRevocations: false,
  deleteExpired: true,
  stats: false,
};

/**
 * The names of the store operations that change data (`create`, `update`, `deny`, ...); every
 * other operation only reads. A set of strings, to test the keys of {@link CountingStore.calls}.
 */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(
  (Object.keys(WRITES) as StoreOperation[]).filter((operation) => WRITES[operation]),
);

/** A store that counts its calls per operation; see {@link countingStore}. */
export interface CountingStore extends SessionStore {
  /** Calls so far, by operation name (`get`, `update`, ...); an operation never called is absent. */
  readonly calls: Record<string, number>;
  /** Forgets every count (the same `calls` object, emptied). */
  reset(): void;
}

/**
 * Wraps `inner` so that every operation of the store contract is counted when it is called, to
 * assert what a code path asks of the store (a validation that writes nothing, one read per
 * request). It has exactly the optional methods `inner` has; `subscribe` and `close` pass through
 * uncounted. `inner` is not changed.
 *
 * @example
 * ```ts
 * const store = countingStore(memoryStore());
 * const sess = createSessionManager({ store, secret });
 * const { credential } = await sess.create('user-1');
 * store.reset();
 * await sess.validate(credential);
 * const writes = Object.entries(store.calls)
 *   .filter(([operation]) => WRITE_OPERATIONS.has(operation))
 *   .reduce((sum, [, n]) => sum + n, 0); // 0: no touch is due yet
 * ```
 */
export function countingStore(inner: SessionStore): CountingStore {
  const calls: Record<string, number> = {};
  const counted = wrapStore(inner, (operation, _args, call) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    return call();
  });
  return Object.assign(counted, {
    calls,
    reset(): void {
      for (const operation of Object.keys(calls)) delete calls[operation];
    },
  });
}
