import assert from 'node:assert/strict';
import type { SessionStore } from '@sess/core';
import { makeRecord, randomId } from '../fixtures.ts';
import type { CaseContext, ConformanceCase } from '../types.ts';
import { createExpired } from './support.ts';

const HOUR = 3_600_000;
// Backends keep whole milliseconds or seconds; within a second is "in step".
const TOLERANCE_MS = 1_000;

type GetExpired = NonNullable<SessionStore['getExpired']>;

function getExpiredOf(ctx: CaseContext): GetExpired {
  const found = ctx.store.getExpired;
  if (!found) {
    return ctx.skip(
      'the store has no getExpired (optional: core then reports every timeout as an invalid credential)',
    );
  }
  return found.bind(ctx.store);
}

export const retentionCases: ConformanceCase[] = [
  {
    id: 'get-expired',
    title:
      'getExpired returns a record only between expiresAt and retainUntil; never a live, deleted or revived one; other reads still hide it',
    async run(ctx) {
      const getExpired = getExpiredOf(ctx);
      const { store, now } = ctx;
      const userId = `user-${randomId()}`;
      const retainUntil = now() + HOUR;
      const [retained, plain, deleted, deletedByUser, update] = await createExpired(ctx, [
        { userId, retainUntil },
        { userId },
        { userId, retainUntil },
        { userId, retainUntil },
        { userId, retainUntil },
      ]);
      assert.ok(retained && plain && deleted && deletedByUser && update);
      const t = now();
      const live = makeRecord(t, { userId, retainUntil: t + 2 * HOUR });
      // Without a clock the kit cannot let time pass: this one is written past its retention.
      const over = makeRecord(t, { userId, expiresAt: t - 2_000, retainUntil: t - 1 });
      await store.create(live);
      if (!ctx.clock) await store.create(over);

      assert.equal(await getExpired(live.id), null, 'a live record is not expired');
      assert.deepStrictEqual(await store.get(live.id), live);
      assert.deepStrictEqual(await getExpired(retained.id), retained, 'expired within retention');
      assert.equal(await getExpired(plain.id), null, 'no retainUntil: nothing is retained');
      assert.equal(await getExpired(over.id), null, 'past retention');
      assert.equal(await getExpired(randomId()), null, 'never stored');
      assert.equal(await store.get(retained.id), null, 'get still hides a retained record');
      assert.deepStrictEqual(
        (await store.listByUser(userId)).map((r) => r.id),
        [live.id],
        'listByUser lists live records only',
      );
      const backendExpiry = ctx.probe?.backendExpiry?.bind(ctx.probe);
      if (backendExpiry) {
        const kept = await backendExpiry(retained.id);
        assert.ok(kept !== null, 'the backend holds the retained record');
        assert.ok(
          Math.abs(kept - retainUntil) <= TOLERANCE_MS,
          `the backend keeps a record until retainUntil (${retainUntil}), not ${kept}`,
        );
      }

      const revived = { ...update, version: update.version + 1, expiresAt: t + HOUR };
      assert.equal(
        await store.update(revived, update.version),
        false,
        'an expired record is not updated',
      );
      assert.equal(await store.get(update.id), null, 'update does not revive a retained record');
      assert.deepStrictEqual(await getExpired(update.id), update, 'nor change it');

      assert.equal(
        await store.delete(deleted.id),
        false,
        'deleting a retained record: it was not live',
      );
      assert.equal(await getExpired(deleted.id), null, 'a deleted record is never returned');
      assert.equal(
        await store.deleteByUser(userId, { except: [retained.id, update.id] }),
        1,
        'deleteByUser counts the live records it deleted',
      );
      assert.equal(
        await getExpired(deletedByUser.id),
        null,
        'deleteByUser removes retained records',
      );
      assert.deepStrictEqual(await getExpired(retained.id), retained, '`except` keeps it');

      if (ctx.clock) {
        ctx.clock.advance(retainUntil - now());
        assert.equal(await getExpired(retained.id), null, 'null once retainUntil has passed');
      }
    },
  },
  {
    id: 'delete-expired-retention',
    title: 'deleteExpired(now) reaps a record once max(expiresAt, retainUntil) <= now, not before',
    async run(ctx) {
      const { store, now, skip } = ctx;
      if (!store.deleteExpired)
        return skip('the store has no deleteExpired (optional: native TTL)');
      if (!store.getExpired) {
        return skip(
          'the store has no getExpired, so it retains nothing: reaping at expiresAt is right',
        );
      }
      const t = now();
      const userId = `user-${randomId()}`;
      const retained = makeRecord(t, { userId, expiresAt: t + 5_000, retainUntil: t + 20_000 });
      const plain = makeRecord(t, { userId, expiresAt: t + 5_000 });
      const bare = makeRecord(t, { userId, expiresAt: t + 5_000, retainUntil: t + 5_000 });
      for (const record of [retained, plain, bare]) await store.create(record);

      // Reaping "in the future" proves the store uses the `now` it is given.
      assert.equal(await store.deleteExpired(t + 10_000), 2, 'reaps only what is past retention');
      assert.equal(await store.get(plain.id), null);
      assert.equal(await store.get(bare.id), null);
      assert.deepStrictEqual(await store.get(retained.id), retained, 'a retained record stays');
      if (ctx.clock) {
        ctx.clock.advance(10_000);
        assert.deepStrictEqual(await store.getExpired(retained.id), retained);
      }
      assert.equal(await store.deleteExpired(t + 20_000), 1, 'reaped when its retention ends');
      assert.equal(await store.deleteExpired(t + 20_000), 0, 'nothing left to reap');
      assert.equal(await store.getExpired(retained.id), null);
      assert.deepStrictEqual(await store.listByUser(userId), []);
    },
  },
];
