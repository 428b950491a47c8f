/** A JSON value, as stored in a session's `data`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The application's own session data: a JSON object. */
export type SessionData = { [key: string]: JsonValue };

/** Facts about the device a session was created from; shown in device lists, used by binding checks. */
export interface SessionMeta {
  /** The `User-Agent` header when the session was created (or last re-bound). */
  userAgent?: string | null;
  /** The client IP address when the session was created (or last re-bound). */
  ip?: string | null;
  /** A free-form label for where the session came from, for example `'password'` or `'sso'`. */
  createdFrom?: string | null;
}

/**
 * One session as the store keeps it. Core owns every field; a store only persists the record, indexes
 * it by `id`, `userId` and `expiresAt`, compares `version`, and expires it.
 *
 * All times are epoch milliseconds. Secrets never appear here: only their SHA-256 hashes.
 */
export interface SessionRecord {
  /** Public handle: 128 random bits, base64url. Safe to show and log. */
  id: string;
  /** The user this session belongs to. */
  userId: string;
  /** SHA-256 (base64url) of the current secret. */
  secretHash: string;
  /** SHA-256 of the secret this one replaced, accepted only inside the reuse window; null before the first rotation. */
  prevSecretHash: string | null;
  /** Short hashes of older superseded secrets (newest first, bounded): presenting one is reuse. */
  retiredSecretHashes: string[];
  /** When the secret last rotated; null before the first rotation. */
  rotatedAt: number | null;
  /** How many times the secret has rotated; an input of the successor derivation. */
  generation: number;
  /** When the session was created. */
  createdAt: number;
  /** When the user last proved who they are (login or step-up); drives `requireFresh`. */
  authenticatedAt: number;
  /** When the session was last seen active (updated by throttled touches). */
  lastActiveAt: number;
  /** The session ends here unless it is touched again. */
  idleExpiresAt: number;
  /** The session ends here whatever happens. */
  absoluteExpiresAt: number;
  /** `min(idleExpiresAt, absoluteExpiresAt)`: after this instant the store must treat the record as missing. */
  expiresAt: number;
  /**
   * `>= expiresAt`. The store may keep the record, hidden, until this instant, so that
   * {@link SessionStore.getExpired} can return it (core then tells a timeout from a revocation).
   * Absent means `expiresAt`: nothing is retained. It never makes a record live: every other read
   * still treats the record as missing once `expiresAt` has passed.
   */
  retainUntil?: number;
  /** The session class (`'standard'`, `'rememberMe'`, or the app's own) whose timeouts apply. */
  sessionClass: string;
  /** Incremented by every successful `update`; the compare-and-set token. */
  version: number;
  /** The application's own data. */
  data: SessionData;
  /** Device facts. */
  meta: SessionMeta;
}

/** A revocation, as broadcast between instances by stores that can (`subscribe`). */
export type RevocationEvent =
  | { type: 'deny'; key: string; expiresAt: number }
  | { type: 'not-before'; scope: string; at: number };

/** The scope name of the global "not before" watermark (`revokeEverything`). */
export const GLOBAL_SCOPE = '*';

/** What {@link SessionStore.stats} is asked to count. */
export interface StoreStatsOptions {
  /** Live sessions whose `expiresAt` is at or before this instant (epoch ms) count as expiring soon. */
  expiringBefore: number;
  /** How many of the users with the most live sessions to list (0 lists none). */
  topUsers: number;
}

/** What {@link SessionStore.createCapped} enforces. */
export interface SessionCap {
  /** The most live records the user may hold, the new one included (an integer `>= 1`). */
  max: number;
  /** When full: delete the oldest live records to make room (`true`), or insert nothing (`false`). */
  evictOldest: boolean;
  /**
   * Records created at or before this instant (epoch ms) do not count: a watermark already revoked
   * them. They are left alone (neither counted nor evicted).
   */
  notBefore: number;
  /** The instant liveness is judged at: a record counts while `expiresAt > now`. */
  now: number;
}

/** What {@link SessionStore.createCapped} did. */
export interface CappedCreate {
  /** Whether `record` was inserted. */
  created: boolean;
  /** Ids of the records deleted to make room, oldest first (empty unless `evictOldest`). */
  evicted: string[];
}

/**
 * Counts of what a store holds, for operators (`sess stats`). Storage counts only: a session a
 * watermark has revoked (`revokeEverything`) still counts until its record expires or is deleted.
 */
export interface StoreStats {
  /** Live (unexpired at `now`) session records. */
  sessions: number;
  /** Distinct users with at least one live session. */
  users: number;
  /** Live sessions with `expiresAt <= expiringBefore`. */
  expiringSoon: number;
  /** Up to `topUsers` users with the most live sessions, most first; ties in any order. */
  topUsers: { userId: string; sessions: number }[];
}

/**
 * The storage contract. Small, async, atomic where correctness needs it; a store holds no session
 * rule. Run `@sess/store-test-kit` against any implementation.
 *
 * Rules every store follows:
 * - Times crossing this boundary are epoch milliseconds; a missing value is `null`.
 * - Expiry is enforced on read: a record whose `expiresAt` has passed is never returned, even if the
 *   backend has not reaped it yet; the same holds for deny-list entries. `get`, `update`,
 *   `listByUser`, `stats` and `createCapped` treat it as missing (an `update` never revives it);
 *   only `getExpired` returns it, until its `retainUntil`.
 * - Retention (stores with `getExpired`): a record is kept until `retainUntil ?? expiresAt`, its
 *   reaping horizon (key TTLs, index TTLs, `deleteExpired`); `delete` and `deleteByUser` remove a
 *   retained record too. Records written without `retainUntil` behave exactly as before. A store
 *   without `getExpired` may ignore `retainUntil` and reap at `expiresAt`.
 * - Stores never see raw secrets, only hashes.
 * - Stores throw on failure and never swallow errors (core turns them into a 503); they never
 *   return `null` or `false` from a `catch`.
 * - Clients (ioredis, pg Pool, better-sqlite3 Database) passed in by the user stay the user's;
 *   `close()` releases only what the store created itself.
 */
export interface SessionStore {
  /** A short name for logs and metrics, for example `'redis'`. */
  readonly name: string;

  /**
   * Inserts a new record. Rejects (throws) when a live record with the same `id` already exists.
   * With an expired one (retained or not) in place it may replace it or reject: ids are 128 random
   * bits, so a duplicate signals a bug, never a race to win.
   */
  create(record: SessionRecord): Promise<void>;

  /**
   * Optional: inserts `record` unless its user already holds `cap.max` live records, as one atomic
   * step per user. Live records are those of `record.userId` with `expiresAt > cap.now` and
   * `createdAt > cap.notBefore`; call their number `count`.
   *
   * - `count < cap.max`: inserts; `{ created: true, evicted: [] }`.
   * - otherwise, with `cap.evictOldest`: deletes the `count - cap.max + 1` oldest of them (ordered by
   *   `createdAt`, then by `id` in byte order), then inserts; `{ created: true, evicted }`, the
   *   deleted ids oldest first, each really gone (`get`, `getExpired`, `listByUser`).
   * - otherwise: inserts nothing and deletes nothing; `{ created: false, evicted: [] }`.
   *
   * Records created at or before `cap.notBefore` and records past `expiresAt` are neither counted
   * nor evicted. Rejects a duplicate live `id` like `create`, then changing nothing.
   *
   * Guarantee: the count, the evictions and the insert are atomic against every concurrent
   * `createCapped`, `create`, `delete` and `deleteByUser` of the same user, so however many callers
   * race (50 parallel logins of one user, across processes sharing the backend), the user ends up
   * with at most `cap.max` live records counted this way; with `evictOldest: false` at most
   * `cap.max - count` of them receive `created: true`. A store that can only check, then create,
   * must leave this method out: core then falls back to a best-effort check.
   */
  createCapped?(record: SessionRecord, cap: SessionCap): Promise<CappedCreate>;

  /** The record with this id, or `null` when it is missing or its `expiresAt` has passed. */
  get(id: string): Promise<SessionRecord | null>;

  /**
   * Compare-and-set: replaces the stored record with `record` only if the stored `version` equals
   * `expectedVersion` (and the record still exists and has not expired). `record.version` is the new
   * version, always `expectedVersion + 1`. Among any number of concurrent callers with the same
   * `expectedVersion`, exactly one receives `true`. Never creates a record (a revoked session is
   * never written back).
   */
  update(record: SessionRecord, expectedVersion: number): Promise<boolean>;

  /**
   * Optional: the record with this id only while it is expired but retained: `expiresAt` has passed
   * and `retainUntil` has not. `null` otherwise: live, deleted (by `delete`, `deleteByUser` or a
   * `createCapped` eviction), never stored, or past retention. A deleted record is never returned,
   * so core can answer "your session timed out" only for a session nobody revoked.
   */
  getExpired?(id: string): Promise<SessionRecord | null>;

  /**
   * Deletes a record, retained ones included. Idempotent: `true` if a live record was deleted,
   * `false` if it was already gone (or only retained). Among any number of concurrent callers
   * deleting the same live record, exactly one receives `true` (core claims a guest session this
   * way at login, so that one login alone carries its data).
   */
  delete(id: string): Promise<boolean>;

  /** Every live (unexpired) record of a user, in any order. */
  listByUser(userId: string): Promise<SessionRecord[]>;

  /**
   * Deletes every record of a user (retained ones included) except the ids in `except`; returns how
   * many live records were deleted.
   */
  deleteByUser(userId: string, options?: { except?: readonly string[] }): Promise<number>;

  /** Adds `key` to the deny-list until `expiresAt`. Keeps the later expiry if the key is already there. */
  deny(key: string, expiresAt: number): Promise<void>;

  /** True while `key` is on the deny-list and its `expiresAt` has not passed. */
  isDenied(key: string): Promise<boolean>;

  /**
   * Raises the "not before" watermark of `scope` (a user id, or {@link GLOBAL_SCOPE}) to `at`.
   * Never lowers it.
   */
  setNotBefore(scope: string, at: number): Promise<void>;

  /** The later of the user's and the global watermark; `0` when neither is set. */
  getNotBefore(userId: string): Promise<number>;

  /**
   * Optional, for the per-process revocation replica (with it the jwt and hybrid strategies check
   * access tokens with no store call): the revocations written at or after `since` (epoch ms, read
   * from the store's clock when each `deny` or `setNotBefore` ran) that are still in effect at `now`:
   * - each deny-list entry live at `now` whose latest `deny` call ran at or after `since`, as
   *   `{ type: 'deny', key, expiresAt }` with its current (latest) expiry;
   * - each watermark whose latest `setNotBefore` call ran at or after `since`, as
   *   `{ type: 'not-before', scope, at }` with its current (highest) value; the global one included.
   *
   * Completeness is the guarantee: a write that resolved before this call started is in the answer
   * to every `since` at or before that write's clock reading. An answer may also hold older entries
   * and repeat earlier answers (the replica applies them idempotently); order is free. Bounded:
   * expired deny entries are never returned, so the answer is at most what was revoked within an
   * access token's lifetime, and a store keeps whatever index serves this query reaped like the rest.
   */
  recentRevocations?(since: number, now: number): Promise<RevocationEvent[]>;

  /**
   * Reaps what is over at `now` (the argument, not the clock): records whose
   * `max(expiresAt, retainUntil ?? expiresAt) <= now`, so a retained record stays until its
   * retention ends (a store without `getExpired` may reap at `expiresAt`), and deny-list entries
   * whose expiry is `<= now`. For backends without native TTL. Returns how many.
   */
  deleteExpired?(now: number): Promise<number>;

  /**
   * Optional, for administration (`sess stats`): counts the session records live at `now` (the
   * argument, not the clock), how many of them expire by `options.expiringBefore`, how many users
   * they belong to, and the users with the most. Counting only, no session rule; it may scan the
   * whole backend, so it is never called on the request path.
   */
  stats?(now: number, options: StoreStatsOptions): Promise<StoreStats>;

  /**
   * Receives revocations made by any instance sharing this backend (including this one), for
   * per-process caches. Returns an unsubscribe function.
   */
  subscribe?(listener: (event: RevocationEvent) => void): () => void;

  /** Releases what the store created (connections, timers); never a client the user passed in. */
  close?(): Promise<void>;
}
