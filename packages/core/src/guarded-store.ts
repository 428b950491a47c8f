import { isSessError, StoreError } from './errors.ts';
import { type EventHub, errorName, type Logger } from './events.ts';
import type { SessionRecord, SessionStore } from './store.ts';
import { type StoreInterceptor, type StoreOperation, wrapStore } from './store-wrap.ts';

/** The user's store as core calls it: guarded, with the optional reads core relies on filled in. */
export interface GuardedStore extends SessionStore {
  /** An expired record still retained; `null` from a store that keeps none (no `getExpired`). */
  getExpired(id: string): Promise<SessionRecord | null>;
  /** Reaps expired records; `0` when the backend expires them by itself (no `deleteExpired`). */
  deleteExpired(now: number): Promise<number>;
}

/**
 * Wraps the user's store so that every call is timed for `metrics()`, and any failure (a thrown
 * error, a rejected promise) becomes a {@link StoreError}, so a broken store fails closed (503)
 * instead of reading as "no session" (401) or, worse, as a pass. An outage is logged once, as an
 * error when it starts and a warning with its length and failure count when a call next succeeds,
 * never once per failed call.
 */
export function guardStore(inner: SessionStore, events: EventHub, logger: Logger): GuardedStore {
  // The current outage: when it started and how many calls failed since; null while healthy.
  let outage: { since: number; failures: number } | null = null;

  const failed = (operation: string, error: unknown): void => {
    if (outage !== null) {
      outage.failures++;
      return;
    }
    outage = { since: Date.now(), failures: 1 };
    logger.error('session store unavailable; requests fail closed (503)', {
      operation,
      store: inner.name,
      error: errorName(error),
    });
  };

  const recovered = (): void => {
    const { since, failures } = outage!;
    outage = null;
    logger.warn('session store recovered', {
      store: inner.name,
      failures,
      outageMs: Date.now() - since,
    });
  };

  const failure = (operation: StoreOperation, started: number, error: unknown): StoreError => {
    events.recordStoreCall(operation, performance.now() - started, true);
    failed(operation, error);
    if (isSessError(error) && error.code === StoreError.code) return error as StoreError;
    return new StoreError(operation, { cause: error });
  };

  // Written with `then`, not `async`: this runs around every store call of every request.
  const guard: StoreInterceptor = (operation, _args, call) => {
    const started = performance.now();
    let pending: ReturnType<typeof call>;
    try {
      pending = Promise.resolve(call()); // the very promise, when the store returns one
    } catch (error) {
      return Promise.reject(failure(operation, started, error));
    }
    return pending.then(
      (result) => {
        events.recordStoreCall(operation, performance.now() - started, false);
        if (outage !== null) recovered();
        return result;
      },
      (error: unknown) => {
        throw failure(operation, started, error);
      },
    );
  };

  const store = wrapStore(inner, guard);
  return {
    ...store,
    getExpired: store.getExpired ?? (() => Promise.resolve(null)),
    deleteExpired: store.deleteExpired ?? (() => Promise.resolve(0)),
  };
}
