import assert from 'node:assert/strict';
import type { SessionRecord, SessionStore } from '@sess/core';
import { makeRecord, randomId } from '../fixtures.ts';
import type { CaseContext, ConformanceCase } from '../types.ts';
import { assertDuplicateId, createExpired } from './support.ts';

const LOGINS = 50;
const MAX = 3;

type CreateCapped = NonNullable<SessionStore['createCapped']>;

function createCappedOf(ctx: CaseContext): CreateCapped {
  const found = ctx.store.createCapped;
  if (!found) {
    return ctx.skip(
      'the store has no createCapped (optional: core then refuses maxSessionsPerUser at startup)',
    );
  }
  return found.bind(ctx.store);
}

const sortedIds = (records: readonly SessionRecord[]): string[] => records.map((r) => r.id).sort();

// Oldest first: createdAt, then id in byte order (the order the contract names).
const byAge = (a: SessionRecord, b: SessionRecord): number =>
  a.createdAt - b.createdAt || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));

/**
 * What every capped case starts from: a user holding records that must not count (one created
 * before the watermark, one expired but retained), and another user with sessions of their own.
 */
async function setUp(ctx: CaseContext) {
  const userId = `user-${randomId()}`;
  const [expired] = await createExpired(ctx, [{ userId, retainUntil: ctx.now() + 3_600_000 }]);
  assert.ok(expired);
  const t = ctx.now();
  const notBefore = t - 5_000;
  const revoked = makeRecord(t, { userId, createdAt: notBefore });
  const bob = `user-${randomId()}`;
  const bobRecords = [1, 2, 3].map(() => makeRecord(t, { userId: bob }));
  for (const record of [revoked, ...bobRecords]) await ctx.store.create(record);
  return { userId, t, notBefore, expired, revoked, bob, bobRecords };
}

/** The untouchable records are still there, untouched. */
async function assertLeftAlone(
  ctx: CaseContext,
  { expired, revoked, bob, bobRecords }: Awaited<ReturnType<typeof setUp>>,
): Promise<void> {
  const { store } = ctx;
  assert.deepStrictEqual(
    await store.get(revoked.id),
    revoked,
    'a record created at notBefore is neither counted nor evicted',
  );
  if (store.getExpired) {
    assert.deepStrictEqual(
      await store.getExpired(expired.id),
      expired,
      'an expired record is neither counted nor deleted',
    );
  }
  assert.deepStrictEqual(
    sortedIds(await store.listByUser(bob)),
    sortedIds(bobRecords),
    'other users are untouched',
  );
}

/** The user's live records that the cap counts. */
async function counted(ctx: CaseContext, userId: string, notBefore: number) {
  return (await ctx.store.listByUser(userId)).filter((r) => r.createdAt > notBefore);
}

export const cappedCases: ConformanceCase[] = [
  {
    id: 'create-capped-reject',
    title: `createCapped without eviction: of ${LOGINS} parallel logins of one user exactly max are created; records before notBefore and expired ones do not count`,
    async run(ctx) {
      const createCapped = createCappedOf(ctx);
      const setup = await setUp(ctx);
      const { userId, t, notBefore } = setup;
      const cap = { max: MAX, evictOldest: false, notBefore, now: t };
      const logins = Array.from({ length: LOGINS }, () => makeRecord(t, { userId }));
      const results = await Promise.all(logins.map((record) => createCapped(record, cap)));

      for (const result of results) assert.deepStrictEqual(result.evicted, [], 'no eviction');
      const created = logins.filter((_, i) => results[i]!.created);
      assert.equal(created.length, MAX, `exactly max (${MAX}) of ${LOGINS} callers are created`);
      assert.deepStrictEqual(
        sortedIds(await counted(ctx, userId, notBefore)),
        sortedIds(created),
        'the user holds exactly the records reported created',
      );
      for (const [i, record] of logins.entries()) {
        if (!results[i]!.created) assert.equal(await ctx.store.get(record.id), null);
      }
      await assertLeftAlone(ctx, setup);

      const full = await createCapped(makeRecord(t, { userId }), cap);
      assert.deepStrictEqual(full, { created: false, evicted: [] }, 'still full');
      const [first] = created;
      assert.ok(first);
      await assertDuplicateId(
        () => createCapped({ ...makeRecord(t), id: first.id }, { ...cap, max: 100 }),
        'createCapped of a live id',
      );
      assert.deepStrictEqual(await ctx.store.get(first.id), first);
    },
  },
  {
    id: 'create-capped-evict',
    title: `createCapped with eviction: ${LOGINS} parallel logins of one user all succeed, exactly max stay, each evicted id reported once and gone, oldest first`,
    async run(ctx) {
      const createCapped = createCappedOf(ctx);
      const setup = await setUp(ctx);
      const { userId, t, notBefore } = setup;
      const older = [2_000, 1_000].map((age) => makeRecord(t, { userId, createdAt: t - age }));
      for (const record of older) await ctx.store.create(record);
      const cap = { max: MAX, evictOldest: true, notBefore, now: t };
      const logins = Array.from({ length: LOGINS }, (_, i) =>
        makeRecord(t, { userId, createdAt: t + i }),
      );
      const results = await Promise.all(logins.map((record) => createCapped(record, cap)));

      assert.ok(
        results.every((r) => r.created),
        'every caller is created when evicting',
      );
      const evicted = results.flatMap((r) => r.evicted);
      assert.equal(new Set(evicted).size, evicted.length, 'no id is evicted twice');
      const all = [...older, ...logins];
      const survivors = await counted(ctx, userId, notBefore);
      assert.equal(survivors.length, MAX, `exactly max (${MAX}) live records at the end`);
      assert.deepStrictEqual(
        [...evicted].sort(),
        all
          .map((r) => r.id)
          .filter((id) => !survivors.some((s) => s.id === id))
          .sort(),
        'every record gone was reported evicted, by exactly one caller',
      );
      for (const id of evicted) {
        assert.equal(await ctx.store.get(id), null, 'an evicted record is gone');
        if (ctx.store.getExpired) assert.equal(await ctx.store.getExpired(id), null);
      }
      await assertLeftAlone(ctx, setup);

      // Sequentially, on another user: count - max + 1 evicted, by createdAt then id.
      const carol = `user-${randomId()}`;
      const ages = [3_000, 2_000, 2_000, 2_000, 1_000];
      const held = ages.map((age) => makeRecord(t, { userId: carol, createdAt: t - age }));
      for (const record of held) await ctx.store.create(record);
      const next = makeRecord(t, { userId: carol });
      const result = await createCapped(next, { ...cap, max: 2 });
      const expected = [...held].sort(byAge).slice(0, 4);
      assert.deepStrictEqual(
        result,
        { created: true, evicted: expected.map((r) => r.id) },
        'evicts count - max + 1 records, oldest first (createdAt, then id)',
      );
      assert.deepStrictEqual(
        sortedIds(await ctx.store.listByUser(carol)),
        sortedIds([held[4]!, next]),
      );
    },
  },
];
