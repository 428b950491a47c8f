import assert from 'node:assert/strict';
import { makeRecord, randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';

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
];
