import assert from 'node:assert/strict';
import { GLOBAL_SCOPE } from '@sess/core';
import { makeRecord, randomId } from '../fixtures.ts';
import type { CaseContext, ConformanceCase, RawProbe } from '../types.ts';

// Backends keep whole milliseconds or seconds; within a second is "in step".
const TOLERANCE_MS = 1_000;

function probeMethod<K extends 'unexpiringKeys' | 'backendExpiry'>(
  ctx: CaseContext,
  method: K,
): NonNullable<RawProbe[K]> {
  const found = ctx.probe?.[method];
  if (!found) {
    return ctx.skip(
      `the factory's probe has no ${method}() (stores without native TTL leave it out)`,
    );
  }
  return found.bind(ctx.probe) as NonNullable<RawProbe[K]>;
}

export const expiryCases: ConformanceCase[] = [
  {
    id: 'ttl-on-every-key',
    title:
      'no operation (create, createCapped, update, touch, retention, deny, setNotBefore, delete, deleteByUser) leaves a key without expiry',
    async run(ctx) {
      const unexpiringKeys = probeMethod(ctx, 'unexpiringKeys');
      const { store, now } = ctx;
      const userId = `user-${randomId()}`;
      const [a, b, c, d] = [1, 2, 3, 4].map(() => makeRecord(now(), { userId }));
      assert.ok(a && b && c && d);
      const other = `user-${randomId()}`;
      const capped = [1, 2, 3].map(() => makeRecord(now(), { userId: other }));
      const steps: [string, () => Promise<unknown>][] = [
        ['create', async () => Promise.all([a, b, c, d].map((r) => store.create(r)))],
        [
          'create with retainUntil',
          () => store.create(makeRecord(now(), { userId: other, retainUntil: now() + 7_200_000 })),
        ],
        [
          'update to a later retainUntil',
          () => store.update({ ...d, version: 2, retainUntil: now() + 9_000_000 }, 1),
        ],
      ];
      if (store.createCapped) {
        const createCapped = store.createCapped.bind(store);
        const cap = { max: 2, evictOldest: true, notBefore: 0, now: now() };
        steps.push([
          'createCapped (evicting)',
          async () => {
            for (const record of capped) await createCapped(record, cap);
          },
        ]);
      }
      steps.push(
        ['update', () => store.update({ ...a, version: 2, data: { step: 'update' } }, 1)],
        [
          'touch',
          () =>
            store.update(
              { ...b, version: 2, lastActiveAt: now(), expiresAt: now() + 7_200_000 },
              1,
            ),
        ],
        ['deny', () => store.deny(`jti-${randomId()}`, now() + 60_000)],
        ['setNotBefore (user)', () => store.setNotBefore(userId, now())],
        ['setNotBefore (global)', () => store.setNotBefore(GLOBAL_SCOPE, now())],
        ['delete', () => store.delete(c.id)],
        ['deleteByUser with except', () => store.deleteByUser(userId, { except: [a.id] })],
      );
      for (const [operation, step] of steps) {
        await step();
        assert.deepStrictEqual(
          await unexpiringKeys(),
          [],
          `after ${operation}, every key must carry an expiry`,
        );
      }
      assert.deepStrictEqual(
        (await store.listByUser(userId)).map((r) => r.id),
        [a.id],
        'the steps ran against live data',
      );
    },
  },
  {
    id: 'touch-keeps-expiry',
    title: 'the backend expiry follows expiresAt on create and on every update, later or earlier',
    async run(ctx) {
      const backendExpiry = probeMethod(ctx, 'backendExpiry');
      const { store, now } = ctx;
      const inStep = async (expiresAt: number, when: string): Promise<void> => {
        const backend = await backendExpiry(record.id);
        assert.ok(backend !== null, `${when}: the backend holds the record`);
        assert.ok(
          Math.abs(backend - expiresAt) <= TOLERANCE_MS,
          `${when}: backend expiry ${backend} must be within ${TOLERANCE_MS} ms of expiresAt ${expiresAt}`,
        );
      };
      const record = makeRecord(now());
      await store.create(record);
      await inStep(record.expiresAt, 'after create');

      const later = {
        ...record,
        version: 2,
        lastActiveAt: now(),
        expiresAt: now() + 5 * 3_600_000,
      };
      assert.equal(await store.update(later, 1), true);
      await inStep(later.expiresAt, 'after a touch to a later expiry');

      const earlier = { ...later, version: 3, expiresAt: now() + 600_000 };
      assert.equal(await store.update(earlier, 2), true);
      await inStep(earlier.expiresAt, 'after an update to an earlier expiry');

      assert.equal(
        await store.update({ ...earlier, version: 4, expiresAt: now() + 9e6 }, 2),
        false,
      );
      await inStep(earlier.expiresAt, 'after a refused update');
      assert.equal(await backendExpiry(randomId()), null, 'null for an id never stored');
    },
  },
];
