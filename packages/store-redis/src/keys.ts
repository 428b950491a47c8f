import { createHash } from 'node:crypto';
import { ConfigError, GLOBAL_SCOPE } from '@sess/core';

/** The default key prefix of {@link redisStore}. */
export const DEFAULT_PREFIX = 'sess:';

/** Every key name the store uses, derived from one prefix. */
export interface KeyLayout {
  readonly prefix: string;
  /**
   * The session record of `id` (one string, see record.ts). On a single node (`tag` null) its name
   * is derived from the id alone; in Cluster it carries the user's hash tag, like the index.
   */
  record(tag: string | null, id: string): string;
  /** What a script appends an id to for a record key of this user (`tag` null: single node). */
  recordBase(tag: string | null): string;
  /** The session hash of `id` as 0.1 wrote it (read until it expires, never written). */
  legacy(tag: string, id: string): string;
  /** What a script appends an id to for a 0.1 session hash of this user. */
  legacyBase(tag: string): string;
  /** The user's index: a sorted set of session ids scored by expiry. */
  index(tag: string): string;
  /** `id` → tag, so that `get(id)` and `delete(id)` find the user's slot (Cluster, and 0.1 records). */
  pointer(id: string): string;
  /** What a script appends an id to for a pointer key. */
  readonly pointerBase: string;
  /** A deny-list entry. */
  deny(key: string): string;
  /** What every deny-list entry's key starts with. */
  readonly denyBase: string;
  /** The watermark of a user id or of {@link GLOBAL_SCOPE}. */
  watermark(scope: string): string;
  /** What every watermark key starts with. */
  readonly watermarkBase: string;
  /** The user tag a user's watermark key names; null for the global one (or any other key). */
  watermarkTag(key: string): string | null;
  /** The pub/sub channel of revocation broadcasts. */
  readonly channel: string;
  /** The revocation log behind `recentRevocations`: sorted sets sharing one hash tag. */
  readonly log: RevocationLogKeys;
}

/**
 * The four sorted sets of the revocation log, all in the slot of `{<prefix>revocations}` so that
 * one script reads or writes them together, in Cluster too.
 */
export interface RevocationLogKeys {
  /** Deny-list keys, each scored by when it was last denied (the store's clock, epoch ms). */
  readonly denyWritten: string;
  /** The same keys, each scored by its expiry (the highest denied). */
  readonly denyUntil: string;
  /** Watermark scopes (user ids, `*`), each scored by when it was last set. */
  readonly marksWritten: string;
  /** The same scopes, each scored by its watermark (the highest set). */
  readonly marksAt: string;
  /** Set once revocations written before the log existed have been logged (a string, with a TTL). */
  readonly backfilled: string;
}

/**
 * The hash tag of a user: a digest, so that any user id (braces included) makes a valid tag and no
 * user id appears in a key name. 22 base64url characters keep 132 bits: a collision would need
 * about 2^66 users.
 */
export function userTag(userId: string): string {
  return createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 22);
}

/** The problem with `prefix`, or null when it is a valid key prefix. */
export function checkPrefix(prefix: unknown = DEFAULT_PREFIX): string | null {
  // A brace in the prefix would become (part of) the hash tag of every key and break the per-user
  // slots that make the Lua scripts legal in Cluster.
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    return 'redisStore.prefix: must be a string without "{" or "}"';
  }
  return null;
}

/** Validates `prefix` and derives every key name from it. */
export function keyLayout(prefix: string = DEFAULT_PREFIX): KeyLayout {
  const issue = checkPrefix(prefix);
  if (issue) throw new ConfigError([issue]);
  return {
    prefix,
    record: (tag, id) => (tag === null ? `${prefix}r:${id}` : `${prefix}r:{${tag}}:${id}`),
    recordBase: (tag) => (tag === null ? `${prefix}r:` : `${prefix}r:{${tag}}:`),
    legacy: (tag, id) => `${prefix}s:{${tag}}:${id}`,
    legacyBase: (tag) => `${prefix}s:{${tag}}:`,
    index: (tag) => `${prefix}u:{${tag}}`,
    pointer: (id) => `${prefix}p:${id}`,
    pointerBase: `${prefix}p:`,
    deny: (key) => `${prefix}d:${key}`,
    denyBase: `${prefix}d:`,
    watermark: (scope) =>
      scope === GLOBAL_SCOPE ? `${prefix}w:*` : `${prefix}w:{${userTag(scope)}}`,
    watermarkBase: `${prefix}w:`,
    watermarkTag: (key) => {
      const base = `${prefix}w:{`;
      return key.startsWith(base) && key.endsWith('}') ? key.slice(base.length, -1) : null;
    },
    channel: `${prefix}revocations`,
    log: {
      denyWritten: `${prefix}{${prefix}revocations}:deny-written`,
      denyUntil: `${prefix}{${prefix}revocations}:deny-until`,
      marksWritten: `${prefix}{${prefix}revocations}:marks-written`,
      marksAt: `${prefix}{${prefix}revocations}:marks-at`,
      backfilled: `${prefix}{${prefix}revocations}:backfilled`,
    },
  };
}

/** `text` with the glob characters of `SCAN MATCH` (`* ? [ ] \`) escaped, to match it literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
