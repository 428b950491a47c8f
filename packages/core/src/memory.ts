import { StoreError } from './errors.ts';
import {
  type CappedCreate,
  GLOBAL_SCOPE,
  type RevocationEvent,
  type SessionCap,
  type SessionRecord,
  type SessionStore,
  type StoreStats,
  type StoreStatsOptions,
} from './store.ts';
import { type Clock, systemClock } from './util/clock.ts';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The time source used to enforce expiry on read. Inject the same clock as the session manager's
   * in tests to move time without sleeping.
   * @default systemClock (`Date.now`)
   */
  clock?: Clock;
}

/** A {@link SessionStore} kept in this process's memory; see {@link memoryStore}. */
export interface MemoryStore extends SessionStore {
  readonly name: 'memory';
  createCapped(record: SessionRecord, cap: SessionCap): Promise<CappedCreate>;
  getExpired(id: string): Promise<SessionRecord | null>;
  deleteExpired(now: number): Promise<number>;
  stats(now: number, options: StoreStatsOptions): Promise<StoreStats>;
  subscribe(listener: (event: RevocationEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * A complete {@link SessionStore} held in a `Map`, for tests, examples and single-process tools.
 * Everything is lost when the process exits and nothing is shared between processes, so it is never
 * a production store for a server that runs more than one instance (or restarts). sess never falls
 * back to it on its own: you pass it explicitly.
 *
 * - Records are deep-copied (`structuredClone`) on the way in and out: callers cannot change stored
 *   state by mutating an object they passed or received.
 * - Expiry is enforced on read with `clock`; expired entries are dropped lazily (a record once its
 *   `retainUntil ?? expiresAt` has passed), or all at once by `deleteExpired(now)`.
 * - `createCapped` runs without an `await` between its count and its insert: one JavaScript turn,
 *   atomic against every other call.
 * - `subscribe` fans out this store's own `deny` and `setNotBefore` calls synchronously, before
 *   those calls resolve. One process is the whole backend, so no revocation is ever missed.
 * - After `close()`, every operation rejects, like a store whose connection is gone.
 *
 * @example
 * ```ts
 * let now = Date.parse('2026-01-01T00:00:00Z');
 * const clock = { now: () => now };
 * const sess = createSessionManager({ store: memoryStore({ clock }), clock, ...options });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? systemClock;
  const records = new Map<string, SessionRecord>();
  const byUser = new Map<string, Set<string>>();
  // Each entry keeps when it was last written, for recentRevocations.
  const denied = new Map<string, { expiresAt: number; writtenAt: number }>();
  const watermarks = new Map<string, { at: number; writtenAt: number }>();
  const listeners = new Set<(event: RevocationEvent) => void>();
  let closed = false;

  const open = (operation: string): void => {
    if (closed) throw new StoreError(operation, { reason: 'closed' });
  };

  const index = (record: SessionRecord): void => {
    const ids = byUser.get(record.userId);
    if (ids) ids.add(record.id);
    else byUser.set(record.userId, new Set([record.id]));
  };

  const unindex = (record: SessionRecord): void => {
    const ids = byUser.get(record.userId);
    ids?.delete(record.id);
    if (ids?.size === 0) byUser.delete(record.userId);
  };

  const remove = (record: SessionRecord): void => {
    records.delete(record.id);
    unindex(record);
  };

  const keptUntil = (record: SessionRecord): number =>
    Math.max(record.expiresAt, record.retainUntil ?? record.expiresAt);

  // The stored record, expired (retained) or not; undefined when missing or past retention, which
  // is dropped on the way.
  const stored = (id: string, now: number): SessionRecord | undefined => {
    const record = records.get(id);
    if (record && keptUntil(record) <= now) {
      remove(record);
      return undefined;
    }
    return record;
  };

  // The stored record, or undefined when missing or expired.
  const live = (id: string, now: number): SessionRecord | undefined => {
    const record = stored(id, now);
    return record && record.expiresAt > now ? record : undefined;
  };

  const refuseDuplicate = (operation: string, id: string): void => {
    if (live(id, clock.now())) throw new StoreError(operation, { reason: 'duplicate-id' });
  };

  // Stores a copy of `record`, replacing an expired (retained) record with the same id.
  const insert = (record: SessionRecord): void => {
    const replaced = records.get(record.id);
    if (replaced) remove(replaced);
    const copy = structuredClone(record);
    records.set(copy.id, copy);
    index(copy);
  };

  const emit = (event: RevocationEvent): void => {
    // Every listener gets the event even if an earlier one throws; the first error is then surfaced.
    Object.freeze(event);
    let failure: { error: unknown } | undefined;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };

  return {
    name: 'memory',

    async create(record) {
      open('create');
      refuseDuplicate('create', record.id);
      insert(record);
    },

    async createCapped(record, { max, evictOldest, notBefore, now }) {
      open('createCapped');
      if (!Number.isInteger(max) || max < 1)
        throw new TypeError('memoryStore.createCapped: cap.max must be an integer >= 1');
      refuseDuplicate('createCapped', record.id);
      const counted = [...(byUser.get(record.userId) ?? [])]
        .map((id) => records.get(id))
        .filter((r): r is SessionRecord => !!r && r.expiresAt > now && r.createdAt > notBefore)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const evicted: string[] = [];
      if (counted.length >= max) {
        if (!evictOldest) return { created: false, evicted };
        for (const old of counted.slice(0, counted.length - max + 1)) {
          remove(old);
          evicted.push(old.id);
        }
      }
      insert(record);
      return { created: true, evicted };
    },

    async get(id) {
      open('get');
      const record = live(id, clock.now());
      return record ? structuredClone(record) : null;
    },

    async getExpired(id) {
      open('getExpired');
      const now = clock.now();
      const record = stored(id, now);
      return record && record.expiresAt <= now ? structuredClone(record) : null;
    },

    async update(record, expectedVersion) {
      open('update');
      const current = live(record.id, clock.now());
      if (!current || current.version !== expectedVersion) return false;
      const copy = structuredClone(record);
      unindex(current);
      records.set(copy.id, copy);
      index(copy);
      return true;
    },

    async delete(id) {
      open('delete');
      const record = records.get(id);
      const wasLive = record !== undefined && record.expiresAt > clock.now();
      if (record) remove(record);
      return wasLive;
    },

    async listByUser(userId) {
      open('listByUser');
      const now = clock.now();
      const out: SessionRecord[] = [];
      for (const id of [...(byUser.get(userId) ?? [])]) {
        const record = live(id, now);
        if (record) out.push(structuredClone(record));
      }
      return out;
    },

    async deleteByUser(userId, deleteOptions) {
      open('deleteByUser');
      const now = clock.now();
      const keep = new Set(deleteOptions?.except ?? []);
      let count = 0;
      for (const id of [...(byUser.get(userId) ?? [])]) {
        if (keep.has(id)) continue;
        const record = records.get(id);
        if (!record) continue;
        remove(record);
        if (record.expiresAt > now) count++;
      }
      return count;
    },

    async deny(key, expiresAt) {
      open('deny');
      const kept = Math.max(denied.get(key)?.expiresAt ?? expiresAt, expiresAt);
      denied.set(key, { expiresAt: kept, writtenAt: clock.now() });
      emit({ type: 'deny', key, expiresAt: kept });
    },

    async isDenied(key) {
      open('isDenied');
      const entry = denied.get(key);
      if (entry === undefined) return false;
      if (entry.expiresAt > clock.now()) return true;
      denied.delete(key);
      return false;
    },

    async setNotBefore(scope, at) {
      open('setNotBefore');
      const kept = Math.max(watermarks.get(scope)?.at ?? 0, at);
      watermarks.set(scope, { at: kept, writtenAt: clock.now() });
      emit({ type: 'not-before', scope, at: kept });
    },

    async getNotBefore(userId) {
      open('getNotBefore');
      return Math.max(watermarks.get(userId)?.at ?? 0, watermarks.get(GLOBAL_SCOPE)?.at ?? 0);
    },

    async recentRevocations(since, now) {
      open('recentRevocations');
      const events: RevocationEvent[] = [];
      for (const [key, { expiresAt, writtenAt }] of denied) {
        if (writtenAt >= since && expiresAt > now) events.push({ type: 'deny', key, expiresAt });
      }
      for (const [scope, { at, writtenAt }] of watermarks) {
        if (writtenAt >= since) events.push({ type: 'not-before', scope, at });
      }
      return events;
    },

    async deleteExpired(now) {
      open('deleteExpired');
      let count = 0;
      for (const record of [...records.values()]) {
        if (keptUntil(record) <= now) {
          remove(record);
          count++;
        }
      }
      for (const [key, { expiresAt }] of [...denied]) {
        if (expiresAt <= now) {
          denied.delete(key);
          count++;
        }
      }
      return count;
    },

    async stats(now, { expiringBefore, topUsers }) {
      open('stats');
      let sessions = 0;
      let expiringSoon = 0;
      const perUser = new Map<string, number>();
      for (const record of records.values()) {
        if (record.expiresAt <= now) continue;
        sessions++;
        if (record.expiresAt <= expiringBefore) expiringSoon++;
        perUser.set(record.userId, (perUser.get(record.userId) ?? 0) + 1);
      }
      const top = [...perUser]
        .sort((a, b) => b[1] - a[1])
        .slice(0, Math.max(0, topUsers))
        .map(([userId, count]) => ({ userId, sessions: count }));
      return { sessions, users: perUser.size, expiringSoon, topUsers: top };
    },

    subscribe(listener) {
      open('subscribe');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close() {
      closed = true;
      records.clear();
      byUser.clear();
      denied.clear();
      watermarks.clear();
      listeners.clear();
    },
  };
}
