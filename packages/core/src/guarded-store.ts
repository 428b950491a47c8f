import { isSessError, StoreError } from './errors.ts';
import { type EventHub, errorName, type Logger } from './events.ts';
import type { CappedCreate, SessionCap, SessionRecord, SessionStore } from './store.ts';

/**
 * The user's store as core sees it: every call is timed for `metrics()`, and any failure (a thrown
 * error, a rejected promise) becomes a {@link StoreError}, so a broken store fails closed (503)
 * instead of reading as "no session" (401) or, worse, as a pass. An outage is logged once, as an
 * error when it starts and a warning with its length and failure count when a call next succeeds,
 * never once per failed call.
 */
export class GuardedStore {
  readonly #inner: SessionStore;
  readonly #events: EventHub;
  readonly #logger: Logger;
  /** The current outage: when it started and how many calls failed since; null while healthy. */
  #outage: { since: number; failures: number } | null = null;

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
  /** Whether the store can enforce a session cap atomically. */
  get canCap(): boolean {
    return typeof this.#inner.createCapped === 'function';
  }
  createCapped(record: SessionRecord, cap: SessionCap): Promise<CappedCreate> {
    return this.#call('createCapped', () => this.#inner.createCapped!(record, cap));
  }
  /** An expired record still retained; `null` from a store that keeps none (no `getExpired`). */
  getExpired(id: string): Promise<SessionRecord | null> {
    const inner = this.#inner;
    if (!inner.getExpired) return Promise.resolve(null);
    return this.#call('getExpired', () => inner.getExpired!(id));
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
      if (this.#outage !== null) this.#recovered();
      return result;
    } catch (error) {
      this.#events.recordStoreCall(operation, performance.now() - started, true);
      this.#failed(operation, error);
      if (isSessError(error) && error.code === StoreError.code) throw error;
      throw new StoreError(operation, { cause: error });
    }
  }

  #failed(operation: string, error: unknown): void {
    if (this.#outage !== null) {
      this.#outage.failures++;
      return;
    }
    this.#outage = { since: Date.now(), failures: 1 };
    this.#logger.error('session store unavailable; requests fail closed (503)', {
      operation,
      store: this.#inner.name,
      error: errorName(error),
    });
  }

  #recovered(): void {
    const { since, failures } = this.#outage!;
    this.#outage = null;
    this.#logger.warn('session store recovered', {
      store: this.#inner.name,
      failures,
      outageMs: Date.now() - since,
    });
  }
}
