import assert from 'node:assert/strict';
import type { SessionRecord, SessionStore } from '@sess/core';
import { makeRecord, randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';

const sortedIds = (records: readonly SessionRecord[]): string[] => records.map((r) => r.id).sort();

async function createMany(store: SessionStore, now: number, userId: string, n: number) {
  const records = Array.from({ length: n }, () => makeRecord(now, { userId }));
  for (const record of records) await store.create(record);
  return records;
}

// User ids a key-value store must not trust as key material: braces (Redis hash tags), glob
// characters, separators, unicode, and one very long id.
const AWKWARD_USER_IDS = [
  '{tag}',
  'a}b{c',
  '*?[x]\\',
  'user:with:colons',
  'ünï-ç😀de',
  ' ',
  'x'.repeat(200),
];
const USERS = 24;
const SESSIONS_PER_USER = 3;

export const userCases: ConformanceCase[] = [
  {
    id: 'by-user-isolation',
    title: 'listByUser and deleteByUser (with and without except) touch only that user',
    async run({ store, now }) {
      const alice = `user-${randomId()}`;
      const bob = `user-${randomId()}`;
      const aliceRecords = await createMany(store, now(), alice, 3);
      const bobRecords = await createMany(store, now(), bob, 2);
      const [kept] = aliceRecords;
      assert.ok(kept);

      assert.deepStrictEqual(sortedIds(await store.listByUser(alice)), sortedIds(aliceRecords));
      assert.deepStrictEqual(sortedIds(await store.listByUser(bob)), sortedIds(bobRecords));

      const except = [kept.id, bobRecords[0]!.id, randomId()];
      assert.equal(await store.deleteByUser(alice, { except }), 2);
      assert.deepStrictEqual(await store.listByUser(alice), [kept]);
      assert.equal(await store.get(aliceRecords[1]!.id), null);
      assert.deepStrictEqual(sortedIds(await store.listByUser(bob)), sortedIds(bobRecords));

      assert.equal(await store.deleteByUser(bob, { except: [] }), 2);
      assert.deepStrictEqual(await store.listByUser(bob), []);
      assert.deepStrictEqual(await store.listByUser(alice), [kept]);

      assert.equal(await store.deleteByUser(alice), 1);
      assert.deepStrictEqual(await store.listByUser(alice), []);
      assert.equal(await store.deleteByUser(`user-${randomId()}`), 0);
      assert.deepStrictEqual(await store.listByUser(`user-${randomId()}`), []);
    },
  },
  {
    id: 'users-many-slots',
    title: `listByUser and deleteByUser with except stay exact across ${USERS} users (awkward ids, many shards), in parallel`,
    async run({ store, now }) {
      const userIds = Array.from({ length: USERS }, (_, i) =>
        i < AWKWARD_USER_IDS.length ? `${AWKWARD_USER_IDS[i]}-${randomId()}` : `user-${randomId()}`,
      );
      const sessions = await Promise.all(
        userIds.map((userId) => createMany(store, now(), userId, SESSIONS_PER_USER)),
      );
      const listed = await Promise.all(userIds.map((userId) => store.listByUser(userId)));
      listed.forEach((records, i) => {
        assert.deepStrictEqual(
          sortedIds(records),
          sortedIds(sessions[i]!),
          `user ${i} lists its own`,
        );
      });

      // Each user keeps its first session; the except list also names other users' sessions,
      // which must not protect or touch anything of this user.
      const firstIds = sessions.map((records) => records[0]!.id);
      const counts = await Promise.all(
        userIds.map((userId) => store.deleteByUser(userId, { except: firstIds })),
      );
      assert.deepStrictEqual(
        counts,
        userIds.map(() => SESSIONS_PER_USER - 1),
      );
      const kept = await Promise.all(userIds.map((userId) => store.listByUser(userId)));
      kept.forEach((records, i) => {
        assert.deepStrictEqual(sortedIds(records), [firstIds[i]], `user ${i} kept exactly one`);
      });
      for (const [i, records] of sessions.entries()) {
        for (const record of records.slice(1)) {
          assert.equal(await store.get(record.id), null, `user ${i}: deleted sessions are gone`);
        }
        assert.deepStrictEqual(await store.get(firstIds[i]!), records[0]);
      }

      assert.deepStrictEqual(
        await Promise.all(userIds.map((userId) => store.deleteByUser(userId))),
        userIds.map(() => 1),
      );
      for (const userId of userIds) assert.deepStrictEqual(await store.listByUser(userId), []);
    },
  },
];
