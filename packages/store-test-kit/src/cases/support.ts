import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createSessionManager,
  httpStatusFor,
  isSessError,
  type SessionRecord,
  type SessionStore,
} from '@sess/core';
import { makeRecord } from '../fixtures.ts';
import type { CaseContext } from '../types.ts';

/** The session manager the way an application builds it, over `store`, on the case's clock. */
export function managerOver(
  ctx: CaseContext,
  store: SessionStore,
): ReturnType<typeof createSessionManager> {
  return createSessionManager({
    store,
    strategy: 'database',
    secret: randomBytes(32).toString('base64url'),
    clock: { now: () => ctx.now() },
  });
}

/** Splits a `<id>.<secret>` credential. */
export function splitCredential(credential: string): { id: string; secret: string } {
  const dot = credential.indexOf('.');
  assert.ok(dot > 0, 'a database-strategy credential has the shape <id>.<secret>');
  return { id: credential.slice(0, dot), secret: credential.slice(dot + 1) };
}

/** Asserts that `promise` rejects with core's StoreError (a 503), never a 401 or a pass. */
export async function assertStoreError(promise: Promise<unknown>, cause?: unknown): Promise<void> {
  await assert.rejects(promise, (error: { code?: unknown; cause?: unknown }) => {
    assert.equal(error.code, 'ERR_SESS_STORE', 'a store failure must surface as ERR_SESS_STORE');
    assert.equal(httpStatusFor(error.code), 503);
    if (cause !== undefined)
      assert.equal(error.cause, cause, 'StoreError keeps the original cause');
    return true;
  });
}

/**
 * Asserts that `write` rejects the way a duplicate live id must: with core's `StoreError`
 * (`ERR_SESS_STORE`, checked by code) whose `reason` is `'duplicate-id'`, not a raw driver error.
 */
export async function assertDuplicateId(
  write: () => Promise<unknown>,
  what: string,
): Promise<void> {
  await assert.rejects(
    async () => write(),
    (error: unknown) => {
      assert.ok(
        isSessError(error) && error.code === 'ERR_SESS_STORE',
        `${what}: a duplicate id must reject with StoreError (ERR_SESS_STORE), got ${String(error)}`,
      );
      assert.equal(
        error.reason,
        'duplicate-id',
        `${what}: the StoreError of a duplicate id has reason 'duplicate-id'`,
      );
      return true;
    },
  );
}

/** The factory's `fail`, or an error saying how to provide it or skip the case. */
export function requireFail(ctx: CaseContext, caseId: string): () => Promise<void> {
  if (ctx.fail) return ctx.fail;
  throw new Error(`'${caseId}' needs fail() from the factory, or a skip with a reason`);
}

/**
 * Creates records that are expired when the function returns: live ones then a clock step when the
 * store takes a clock, otherwise records written with an `expiresAt` already in the past. Other
 * records the case created keep at least 59 minutes of life.
 */
export async function createExpired(
  ctx: CaseContext,
  overrides: Partial<SessionRecord>[],
): Promise<SessionRecord[]> {
  const now = ctx.now();
  const offset = ctx.clock ? 1_000 : -1_000;
  const records = overrides.map((o) => makeRecord(now, { expiresAt: now + offset, ...o }));
  for (const record of records) {
    await ctx.store.create(record);
    if (ctx.clock)
      assert.deepEqual(await ctx.store.get(record.id), record, 'live before its expiry');
  }
  ctx.clock?.advance(1_001);
  return records;
}
