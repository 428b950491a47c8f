import assert from 'node:assert/strict';
import { makeRecord, randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';
import { createExpired } from './support.ts';

const MINUTE = 60_000;

export const maintenanceCases: ConformanceCase[] = [
  {
    id: 'delete-expired',
    title: 'deleteExpired(now) reaps records and deny entries expired at `now`, and nothing else',
    async run({ store, now, skip }) {
      if (!store.deleteExpired)
        return skip('the store has no deleteExpired (optional: native TTL)');
      // Reaping "in the future" proves the store uses the `now` it is given and really deletes:
      // the reaped entries are still live by the store's own clock.
      const t = now();
      const reapAt = t + 10_000;
      const userId = `user-${randomId()}`;
      const doomed = [1, 2].map(() => makeRecord(t, { userId, expiresAt: t + 5_000 }));
      const kept = makeRecord(t, { userId, expiresAt: t + 3_600_000 });
      for (const record of [...doomed, kept]) await store.create(record);
      const doomedKey = `jti-${randomId()}`;
      const keptKey = `jti-${randomId()}`;
      await store.deny(doomedKey, t + 5_000);
      await store.deny(keptKey, t + 3_600_000);

      assert.equal(await store.deleteExpired(reapAt), 3);
      for (const record of doomed) assert.equal(await store.get(record.id), null);
      assert.equal(await store.isDenied(doomedKey), false);
      assert.deepStrictEqual(await store.listByUser(userId), [kept]);
      assert.equal(await store.isDenied(keptKey), true);
      assert.equal(await store.deleteExpired(reapAt), 0, 'nothing left to reap');
    },
  },
  {
    id: 'stats',
    title: 'stats(now) counts live sessions, their users and those expiring soon; ranks top users',
    async run(ctx) {
      const { store, now, skip } = ctx;
      if (!store.stats) return skip('the store has no stats (optional: administration)');
      const [alice, bob, carol, dave] = [1, 2, 3, 4].map(() => `user-${randomId()}`);
      await createExpired(ctx, [{ userId: alice }, { userId: dave }]);
      const t = now();
      const live = [
        ...[1, 2, 3].map(() => makeRecord(t, { userId: alice, expiresAt: t + 60 * MINUTE })),
        makeRecord(t, { userId: bob, expiresAt: t + 60 * MINUTE }),
        makeRecord(t, { userId: bob, expiresAt: t + 10 * MINUTE }),
        makeRecord(t, { userId: carol, expiresAt: t + 10 * MINUTE }),
      ];
      const revoked = makeRecord(t, { userId: bob, expiresAt: t + 60 * MINUTE });
      for (const record of [...live, revoked]) await store.create(record);
      assert.equal(await store.delete(revoked.id), true);

      assert.deepStrictEqual(
        await store.stats(t, { expiringBefore: t + 30 * MINUTE, topUsers: 2 }),
        {
          sessions: 6,
          users: 3,
          expiringSoon: 2,
          topUsers: [
            { userId: alice, sessions: 3 },
            { userId: bob, sessions: 2 },
          ],
        },
        'expired and deleted records are not counted',
      );
      // Counting "later" proves the store uses the `now` it is given: by then two records expired.
      const later = await store.stats(t + 20 * MINUTE, {
        expiringBefore: t + 90 * MINUTE,
        topUsers: 0,
      });
      assert.deepStrictEqual(later, { sessions: 4, users: 2, expiringSoon: 4, topUsers: [] });
    },
  },
];
