import { isSessError, StoreError } from './errors.ts';
import { type EventHub, errorName, type Logger } from './events.ts';
import type { SessionRecord, SessionStore } from './store.ts';

/**
 * The user's store as core sees it: every call is timed for `metrics()`, and any failure (a thrown
 * error, a rejected promise) becomes a {@link StoreError}, so a broken store fails closed (503)
 * instead of reading as "no session" (401) or, worse, as a pass.
 */
export class GuardedStore {
  readonly #inner: SessionStore;
  readonly #events: EventHub;
  readonly #logger: Logger;

  constructor(inner: SessionStore, events: EventHub, logger: Logger) {
    this.#inner = inner;
    this.#events = events;
    this.#logger = logger;
  }

  get name(): string {
    return this.#inner.name;
  }

  create(record: SessionRecord): Promise<void> {
    return this.#call('create', () => this.#inner.create(record));
  }
  get(id: string): Promise<SessionRecord | null> {
    return this.#call('get', () => this.#inner.get(id));
  }
  update(record: SessionRecord, expectedVersion: number): Promise<boolean> {
    return this.#call('update', () => this.#inner.update(record, expectedVersion));
  }
  delete(id: string): Promise<boolean> {
    return this.#call('delete', () => this.#inner.delete(id));
  }
  listByUser(userId: string): Promise<SessionRecord[]> {
    return this.#call('listByUser', () => this.#inner.listByUser(userId));
  }
  deleteByUser(userId: string, except: readonly string[]): Promise<number> {
    return this.#call('deleteByUser', () => this.#inner.deleteByUser(userId, { except }));
  }
  deny(key: string, expiresAt: number): Promise<void> {
    return this.#call('deny', () => this.#inner.deny(key, expiresAt));
  }
  isDenied(key: string): Promise<boolean> {
    return this.#call('isDenied', () => this.#inner.isDenied(key));
  }
  setNotBefore(scope: string, at: number): Promise<void> {
    return this.#call('setNotBefore', () => this.#inner.setNotBefore(scope, at));
  }
  getNotBefore(userId: string): Promise<number> {
    return this.#call('getNotBefore', () => this.#inner.getNotBefore(userId));
  }
  /** Reaps expired records; `0` when the backend expires them by itself (no `deleteExpired`). */
  deleteExpired(now: number): Promise<number> {
    const inner = this.#inner;
    if (!inner.deleteExpired) return Promise.resolve(0);
    return this.#call('deleteExpired', () => inner.deleteExpired!(now));
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.#events.recordStoreCall(operation, performance.now() - started, false);
      return result;
    } catch (error) {
      this.#events.recordStoreCall(operation, performance.now() - started, true);
      this.#logger.error('session store call failed', {
        operation,
        store: this.#inner.name,
        error: errorName(error),
      });
      if (isSessError(error) && error.code === StoreError.code) throw error;
      throw new StoreError(operation, { cause: error });
    }
  }
}
