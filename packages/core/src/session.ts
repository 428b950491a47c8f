import type { SessionData, SessionMeta, SessionRecord } from './store.ts';

/**
 * A session as the application sees it: the store record without any secret material. Frozen;
 * change `data` with `sess.update()`.
 */
export interface Session {
  /** Public handle: safe to show and log. */
  readonly id: string;
  readonly userId: string;
  readonly sessionClass: string;
  readonly createdAt: number;
  /** When the user last proved who they are (login, step-up): see `requireFresh`. */
  readonly authenticatedAt: number;
  readonly lastActiveAt: number;
  /** When the session ends unless touched: `min(idleExpiresAt, absoluteExpiresAt)`. */
  readonly expiresAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  /** The compare-and-set version, used by `update`. */
  readonly version: number;
  readonly data: Readonly<SessionData>;
  readonly meta: Readonly<SessionMeta>;
}

/** Projects a record onto the public {@link Session} view (no hashes, no rotation state). */
export function toSession(record: SessionRecord): Session {
  return Object.freeze({
    id: record.id,
    userId: record.userId,
    sessionClass: record.sessionClass,
    createdAt: record.createdAt,
    authenticatedAt: record.authenticatedAt,
    lastActiveAt: record.lastActiveAt,
    expiresAt: record.expiresAt,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    version: record.version,
    data: record.data,
    meta: record.meta,
  });
}
