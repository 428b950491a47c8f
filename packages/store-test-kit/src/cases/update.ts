import assert from 'node:assert/strict';
import { makeRecord, randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';

const WRITERS = 50;

export const updateCases: ConformanceCase[] = [
  {
    id: 'update-cas-concurrent',
    title: `${WRITERS} concurrent updates with the same expectedVersion: exactly one wins and is stored`,
    async run({ store, now }) {
      const base = makeRecord(now());
      await store.create(base);
      const writes = Array.from({ length: WRITERS }, (_, writer) => ({
        ...base,
        version: base.version + 1,
        lastActiveAt: base.lastActiveAt + writer,
        data: { writer, tag: randomId() },
      }));
      const results = await Promise.all(writes.map((write) => store.update(write, base.version)));
      const winners = writes.filter((_, i) => results[i] === true);
      assert.equal(winners.length, 1, `exactly one writer wins (got ${winners.length})`);
      assert.deepStrictEqual(await store.get(base.id), winners[0]);
    },
  },
  {
    id: 'delete-concurrent',
    title: `${WRITERS} concurrent deletes of one record: exactly one returns true (a guest upgrade's claim)`,
    async run({ store, now }) {
      const record = makeRecord(now());
      await store.create(record);
      const results = await Promise.all(
        Array.from({ length: WRITERS }, () => store.delete(record.id)),
      );
      const winners = results.filter((deleted) => deleted === true).length;
      assert.equal(winners, 1, `exactly one delete returns true (got ${winners})`);
      assert.equal(await store.get(record.id), null);
    },
  },
  {
    id: 'update-stale',
    title: 'update with a stale or future version is refused and changes nothing',
    async run({ store, now }) {
      const v1 = makeRecord(now());
      await store.create(v1);
      const v2 = { ...v1, version: 2, data: { step: 2 } };
      assert.equal(await store.update(v2, 1), true);
      assert.equal(await store.update({ ...v1, version: 2, data: { step: 'stale' } }, 1), false);
      assert.equal(await store.update({ ...v1, version: 10, data: { step: 'future' } }, 9), false);
      assert.deepStrictEqual(await store.get(v1.id), v2);
      const v3 = { ...v2, version: 3, data: { step: 3 } };
      assert.equal(await store.update(v3, 2), true);
      assert.deepStrictEqual(await store.get(v1.id), v3);
    },
  },
  {
    id: 'update-never-creates',
    title: 'update of a deleted or never-stored record is false and does not recreate it',
    async run({ store, now }) {
      const record = makeRecord(now());
      await store.create(record);
      assert.equal(await store.delete(record.id), true);
      const next = { ...record, version: record.version + 1 };
      assert.equal(await store.update(next, record.version), false);
      assert.equal(await store.get(record.id), null);
      assert.deepStrictEqual(await store.listByUser(record.userId), []);

      const ghost = makeRecord(now());
      assert.equal(await store.update({ ...ghost, version: 2 }, 1), false);
      assert.equal(await store.get(ghost.id), null);
    },
  },
];
