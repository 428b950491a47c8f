import { createHash, randomBytes } from 'node:crypto';
import type { SessionRecord } from '@sess/core';
import type { TestClock } from './types.ts';

/** A random 128-bit base64url id, shaped like a session id; every case uses fresh ones. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** SHA-256 (base64url) of a string: how core stores a secret. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/**
 * A clock that only moves when told to, for stores that accept an injected clock.
 *
 * @param start - the initial time in epoch milliseconds
 * @default start `Date.now()`
 * @example
 * ```ts
 * const clock = manualClock();
 * describeStoreConformance('memory', async () => ({ store: memoryStore({ clock }), clock }));
 * ```
 */
export function manualClock(start: number = Date.now()): TestClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('manualClock.advance: ms must be a non-negative number');
      now += ms;
    },
  };
}

/**
 * A complete, valid {@link SessionRecord} with random id, user and hashes, live for one hour from
 * `now`; `overrides` replace any field.
 */
export function makeRecord(now: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomId(),
    userId: `user-${randomId()}`,
    secretHash: sha256(randomId()),
    prevSecretHash: null,
    retiredSecretHashes: [],
    rotatedAt: null,
    generation: 0,
    createdAt: now,
    authenticatedAt: now,
    lastActiveAt: now,
    idleExpiresAt: now + 3_600_000,
    absoluteExpiresAt: now + 8 * 3_600_000,
    expiresAt: now + 3_600_000,
    sessionClass: 'standard',
    version: 1,
    data: {},
    meta: { userAgent: null, ip: null, createdFrom: null },
    ...overrides,
  };
}
