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
];
