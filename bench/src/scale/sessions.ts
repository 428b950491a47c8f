// Sessions in bulk: records in the shape SessionManager.create makes (copied from a template the
// real manager created), each with its own id, secret and user, and the credential that validates
// it. Loaded through the store's own create, many in flight at once (one connection pipelines them).
import { createHash, randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from '@sess/core';

/** A 200-character user agent, as in issue 22's measurement. */
export const USER_AGENT =
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0 ${'x'.repeat(200)}`.slice(
    0,
    200,
  );
export const IP = '203.0.113.42';
/** Sessions per ordinary user; one heavy user holds {@link HEAVY_SESSIONS}. */
export const PER_USER = 5;
export const HEAVY_SESSIONS = 1_000;
export const HEAVY_USER = 'scale-heavy-user';

export interface Minted {
  record: SessionRecord;
  credential: string;
}

/** A fresh session like `template`, for `userId`, created at `now`. */
export function mint(template: SessionRecord, userId: string, now: number, ttlMs?: number): Minted {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const shift = now - template.createdAt;
  const at = (t: number) => t + shift;
  const record: SessionRecord = {
    ...template,
    id,
    userId,
    secretHash: createHash('sha256').update(secret).digest('base64url'),
    createdAt: now,
    authenticatedAt: now,
    lastActiveAt: now,
    idleExpiresAt: ttlMs === undefined ? at(template.idleExpiresAt) : now + ttlMs,
    absoluteExpiresAt: ttlMs === undefined ? at(template.absoluteExpiresAt) : now + ttlMs,
    expiresAt: ttlMs === undefined ? at(template.expiresAt) : now + ttlMs,
    retainUntil: ttlMs === undefined ? at(template.retainUntil ?? template.expiresAt) : now + ttlMs,
  };
  return { record, credential: `${id}.${secret}` };
}

/** The user of session `i` of `count`: the first {@link HEAVY_SESSIONS} belong to the heavy user. */
export function userOf(i: number, count: number, prefix = 'u'): string {
  if (count >= HEAVY_SESSIONS * 5 && i < HEAVY_SESSIONS) return HEAVY_USER;
  return `${prefix}-${Math.floor(i / PER_USER)}`;
}

/**
 * Creates `count` sessions through `store.create`, `inFlight` at a time; returns their credentials.
 * `ttlMs` makes short-lived ones (for the cleanup measurement).
 */
export async function load(
  store: SessionStore,
  template: SessionRecord,
  count: number,
  options: {
    inFlight?: number;
    ttlMs?: number;
    userPrefix?: string;
    /** Writes a batch in the store's own format instead of one `create` per record. */
    bulk?: (records: SessionRecord[]) => Promise<void>;
  } = {},
): Promise<string[]> {
  const { inFlight = 1_000, ttlMs, userPrefix = 'u', bulk } = options;
  const credentials: string[] = new Array(count);
  for (let start = 0; start < count; start += inFlight) {
    const now = Date.now();
    const records: SessionRecord[] = [];
    for (let i = start; i < Math.min(count, start + inFlight); i++) {
      const { record, credential } = mint(template, userOf(i, count, userPrefix), now, ttlMs);
      credentials[i] = credential;
      records.push(record);
    }
    await (bulk ? bulk(records) : Promise.all(records.map((record) => store.create(record))));
  }
  return credentials;
}

/** `n` distinct entries of `items`, picked at random. */
export function sample<T>(items: readonly T[], n: number): T[] {
  const picked = new Set<number>();
  const want = Math.min(n, items.length);
  while (picked.size < want) picked.add(Math.floor(Math.random() * items.length));
  return [...picked].map((i) => items[i]!);
}
