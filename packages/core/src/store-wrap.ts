import { StoreError } from './errors.ts';
import type { SessionStore } from './store.ts';

/** One operation of the store contract: every method but `subscribe` and `close`. */
export type StoreOperation = Exclude<keyof SessionStore, 'name' | 'subscribe' | 'close'>;

// A record, so the compiler refuses it until it names every operation of the contract.
const OPERATIONS: Record<StoreOperation, true> = {
  create: true,
  createCapped: true,
  get: true,
  update: true,
  getExpired: true,
  delete: true,
  listByUser: true,
  deleteByUser: true,
  deny: true,
  isDenied: true,
  setNotBefore: true,
  getNotBefore: true,
  recentRevocations: true,
  deleteExpired: true,
  stats: true,
};

/**
 * The operations of the store contract, in contract order: every method but `subscribe` and
 * `close`, which register a listener and release resources (nothing to time, guard or count).
 */
export const STORE_OPERATIONS: readonly StoreOperation[] = Object.freeze(
  Object.keys(OPERATIONS) as StoreOperation[],
);

/**
 * Runs around every operation of a wrapped store: it receives the operation's name, its arguments
 * (read them, never change them) and `call`, which runs the operation on the inner store. Return
 * what `call` returns, or wait, time, count or translate it first.
 */
export type StoreInterceptor = <T>(
  operation: StoreOperation,
  args: readonly unknown[],
  call: () => Promise<T>,
) => Promise<T>;

/**
 * A store that runs `around` on every operation of `store` and forwards everything else. It has
 * exactly the optional methods `store` has (core sees the same capabilities); `subscribe` and
 * `close` pass through unwrapped. Only the contract's members are forwarded: keep the original for
 * a store's own extras (a Postgres `pool`). The one way sess wraps a store: core's failure guard,
 * the stores' timeouts, the kit's counting store and the OpenTelemetry instrumentation all use it.
 *
 * @example
 * ```ts
 * const logged = wrapStore(store, async (operation, _args, call) => {
 *   const started = performance.now();
 *   try {
 *     return await call();
 *   } finally {
 *     console.log(operation, performance.now() - started);
 *   }
 * });
 * ```
 */
export function wrapStore(store: SessionStore, around: StoreInterceptor): SessionStore {
  const wrapped: Record<string, unknown> = { name: store.name };
  for (const operation of STORE_OPERATIONS) {
    const method = store[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') continue;
    wrapped[operation] = (...args: unknown[]) =>
      around(operation, args, () => method.apply(store, args));
  }
  if (store.subscribe) wrapped.subscribe = store.subscribe.bind(store);
  if (store.close) wrapped.close = store.close.bind(store);
  return wrapped as unknown as SessionStore;
}

/**
 * An interceptor that bounds each operation by `timeoutMs`: an operation still pending then
 * rejects with a {@link StoreError} (`reason: 'timeout'`) naming `backend`; its late answer is still
 * handled, so it never becomes an unhandled rejection. `untimed(operation)` lets an operation
 * through without a timer (one the driver already bounds, or a scan that may take long), so a
 * bounded hot path allocates nothing here.
 *
 * @example
 * ```ts
 * const bounded = wrapStore(store, timeoutInterceptor(2_000, 'MyDB', (op) => op === 'stats'));
 * ```
 */
export function timeoutInterceptor(
  timeoutMs: number,
  backend: string,
  untimed: (operation: StoreOperation) => boolean = () => false,
): StoreInterceptor {
  return (operation, _args, call) => {
    if (untimed(operation)) return call();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const detail = `no answer from ${backend} within ${timeoutMs} ms`;
        reject(new StoreError(operation, { reason: 'timeout', detail }));
      }, timeoutMs);
      call().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
}
