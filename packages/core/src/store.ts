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
 *   backend has not reaped it yet; the same holds for deny-list entries.
 * - Stores never see raw secrets, only hashes.
 * - Stores throw on failure and never swallow errors (core turns them into a 503); they never
 *   return `null` or `false` from a `catch`.
 * - Clients (ioredis, pg Pool, better-sqlite3 Database) passed in by the user stay the user's;
 *   `close()` releases only what the store created itself.
 */
export interface SessionStore {
  /** A short name for logs and metrics, for example `'redis'`. */
  readonly name: string;

  /** Inserts a new record. Rejects (throws) when a record with the same `id` already exists. */
  create(record: SessionRecord): Promise<void>;

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

  /** Deletes a record. Idempotent: `true` if something was deleted, `false` if it was already gone. */
  delete(id: string): Promise<boolean>;

  /** Every live (unexpired) record of a user, in any order. */
  listByUser(userId: string): Promise<SessionRecord[]>;

  /** Deletes every record of a user except the ids in `except`; returns how many were deleted. */
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

  /** Reaps expired records and deny-list entries; for backends without native TTL. Returns how many. */
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
