import assert from 'node:assert/strict';
import type { SessionRecord } from '@sess/core';
import { makeRecord, randomId, sha256 } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';
import { assertDuplicateId, createExpired } from './support.ts';

// Every field set to something a lossy encoding would get wrong.
function richRecord(now: number): SessionRecord {
  return makeRecord(now, {
    userId: `usér-✓-${randomId()}`,
    prevSecretHash: sha256(randomId()),
    retiredSecretHashes: [sha256(randomId()).slice(0, 16), sha256(randomId()).slice(0, 16)],
    rotatedAt: now - 1,
    generation: 7,
    createdAt: now - 120_000,
    authenticatedAt: now - 60_000,
    lastActiveAt: now - 1,
    idleExpiresAt: now + 1_800_000,
    absoluteExpiresAt: now + 28_800_000,
    expiresAt: now + 1_800_000,
    sessionClass: 'rememberMe',
    version: 42,
    data: {
      cart: [{ sku: 'A-1', qty: 2, price: 19.99 }, null, true, false],
      nested: { deeper: { deepest: ['x', { y: -1.5e-7 }], empty: {} }, list: [] },
      unicode: 'Grüße, 世界 🌍 שָׁלוֹם e\u0301 "quoted" \\back\\slash\nnew\tline \u2028',
      sqlish: "'; DROP TABLE sessions; --",
      big: Number.MAX_SAFE_INTEGER,
      nothing: null,
    },
    meta: {
      userAgent: 'Mozilla/5.0 (X11; Linux) “smart quotes” 🦊',
      ip: '2001:db8::1',
      createdFrom: null,
    },
  });
}

export const recordCases: ConformanceCase[] = [
  {
    id: 'round-trip',
    title: 'every field survives create, get, listByUser and update (nested data, unicode, nulls)',
    async run({ store, now }) {
      const record = richRecord(now());
      const bare = makeRecord(now(), { userId: record.userId, meta: {} });
      await store.create(record);
      await store.create(bare);
      assert.deepStrictEqual(await store.get(record.id), record);
      assert.deepStrictEqual(await store.get(bare.id), bare);
      const listed = await store.listByUser(record.userId);
      const byId = new Map(listed.map((r) => [r.id, r]));
      assert.equal(listed.length, 2);
      assert.deepStrictEqual(byId.get(record.id), record);
      assert.deepStrictEqual(byId.get(bare.id), bare);

      const next = { ...record, version: record.version + 1, data: { replaced: { ok: ['✓'] } } };
      assert.equal(await store.update(next, record.version), true);
      assert.deepStrictEqual(await store.get(record.id), next);
    },
  },
  {
    id: 'copies',
    title: 'mutating a record after create or after get does not change what is stored',
    async run({ store, now }) {
      const record = richRecord(now());
      const expected = structuredClone(record);
      await store.create(record);
      record.data.cart = 'mutated';
      record.retiredSecretHashes.push('mutated');
      record.meta.ip = 'mutated';
      const read = await store.get(record.id);
      assert.ok(read);
      read.data.nested = 'mutated';
      read.secretHash = 'mutated';
      assert.deepStrictEqual(await store.get(record.id), expected);
    },
  },
  {
    id: 'create-duplicate',
    title:
      "create (and createCapped, when present) of a live id rejects with StoreError reason 'duplicate-id' and keeps the first record",
    async run({ store, now }) {
      const first = makeRecord(now());
      const second = makeRecord(now(), { id: first.id });
      await store.create(first);
      await assertDuplicateId(() => store.create(second), 'create');
      const createCapped = store.createCapped?.bind(store);
      if (createCapped) {
        const cap = { max: 100, evictOldest: false, notBefore: 0, now: now() };
        await assertDuplicateId(() => createCapped(second, cap), 'createCapped');
      }
      assert.deepStrictEqual(await store.get(first.id), first);
      assert.deepStrictEqual(await store.listByUser(second.userId), []);
    },
  },
  {
    id: 'get-missing',
    title: 'get of an id that was never stored is null',
    async run({ store }) {
      assert.equal(await store.get(randomId()), null);
    },
  },
  {
    id: 'delete-idempotent',
    title: 'delete returns true once, then false; the record is gone everywhere',
    async run({ store, now }) {
      const record = makeRecord(now());
      await store.create(record);
      assert.equal(await store.delete(record.id), true);
      assert.equal(await store.delete(record.id), false);
      assert.equal(await store.delete(randomId()), false);
      assert.equal(await store.get(record.id), null);
      assert.deepStrictEqual(await store.listByUser(record.userId), []);
    },
  },
  {
    id: 'expiry-on-read',
    title: 'an expired record is never returned, listed or updated, even before any reaping',
    async run(ctx) {
      const { store, now } = ctx;
      const userId = `user-${randomId()}`;
      const [expired] = await createExpired(ctx, [{ userId }]);
      assert.ok(expired);
      const live = makeRecord(now(), { userId });
      await store.create(live);

      assert.equal(await store.get(expired.id), null);
      assert.deepStrictEqual(await store.listByUser(userId), [live]);
      const revived = { ...expired, version: expired.version + 1, expiresAt: now() + 3_600_000 };
      assert.equal(
        await store.update(revived, expired.version),
        false,
        'an expired record is not updated',
      );
      assert.equal(await store.get(expired.id), null, 'update must not revive an expired record');
    },
  },
];
