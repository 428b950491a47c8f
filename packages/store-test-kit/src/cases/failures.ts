import assert from 'node:assert/strict';
import type { SessionStore } from '@sess/core';
import { makeRecord, randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';
import { assertStoreError, managerOver, requireFail } from './support.ts';

type Operation = Exclude<keyof SessionStore, 'name' | 'subscribe' | 'close'>;

const OPERATIONS: readonly Operation[] = [
  'create',
  'createCapped',
  'get',
  'getExpired',
  'update',
  'delete',
  'listByUser',
  'deleteByUser',
  'deny',
  'isDenied',
  'setNotBefore',
  'getNotBefore',
  'recentRevocations',
  'deleteExpired',
  'stats',
];

/**
 * A store whose every operation fails, one way or the other: a synchronous throw (a bug in a store)
 * or a rejected promise (a backend error). It has no subscribe, so only the request path is tested.
 */
function brokenStore(mode: 'throw' | 'reject', cause: Error): SessionStore {
  const fail =
    mode === 'throw'
      ? () => {
          throw cause;
        }
      : () => Promise.reject(cause);
  const store: Record<string, unknown> = { name: `broken-${mode}` };
  for (const operation of OPERATIONS) store[operation] = fail;
  return store as unknown as SessionStore;
}

export const failureCases: ConformanceCase[] = [
  {
    id: 'fail-rejects',
    title: 'with the backend broken, every operation rejects (never null, false or 0)',
    async run(ctx) {
      const { store, now } = ctx;
      const fail = requireFail(ctx, 'fail-rejects');
      const record = makeRecord(now());
      await store.create(record);
      await fail();
      const next = { ...record, version: record.version + 1 };
      const calls: Record<Operation, () => Promise<unknown>> = {
        create: () => store.create(makeRecord(now())),
        createCapped: () =>
          store.createCapped!(makeRecord(now(), { userId: record.userId }), {
            max: 1,
            evictOldest: true,
            notBefore: 0,
            now: now(),
          }),
        get: () => store.get(record.id),
        getExpired: () => store.getExpired!(record.id),
        update: () => store.update(next, record.version),
        delete: () => store.delete(record.id),
        listByUser: () => store.listByUser(record.userId),
        deleteByUser: () => store.deleteByUser(record.userId),
        deny: () => store.deny(`jti-${randomId()}`, now() + 60_000),
        isDenied: () => store.isDenied(`jti-${randomId()}`),
        setNotBefore: () => store.setNotBefore(record.userId, now()),
        getNotBefore: () => store.getNotBefore(record.userId),
        recentRevocations: () => store.recentRevocations!(now() - 60_000, now()),
        deleteExpired: () => store.deleteExpired!(now()),
        stats: () => store.stats!(now(), { expiringBefore: now(), topUsers: 1 }),
      };
      for (const operation of OPERATIONS) {
        if (store[operation] === undefined) continue; // an optional operation the store lacks
        await assert.rejects(
          async () => calls[operation](),
          `${operation} must reject on a broken backend`,
        );
      }
    },
  },
  {
    id: 'fail-manager',
    title:
      'the session manager over a broken backend rejects validate and create with ERR_SESS_STORE',
    async run(ctx) {
      const fail = requireFail(ctx, 'fail-manager');
      const sess = managerOver(ctx, ctx.store);
      try {
        const { credential } = await sess.create(`user-${randomId()}`);
        await sess.validate(credential);
        await fail();
        await assertStoreError(sess.validate(credential));
        await assertStoreError(sess.create(`user-${randomId()}`));
      } finally {
        await sess.close(); // no background sync may outlive the case (and log after it)
      }
    },
  },
  {
    id: 'core-store-error',
    title:
      'core turns a throwing or rejecting store into StoreError (503, cause kept), never null or 401',
    async run(ctx) {
      const userId = `user-${randomId()}`;
      const issuer = managerOver(ctx, ctx.store);
      const { credential } = await issuer.create(userId);
      await issuer.close();
      for (const mode of ['throw', 'reject'] as const) {
        const cause = new Error(`backend down (${mode})`);
        const sess = managerOver(ctx, brokenStore(mode, cause));
        try {
          await assertStoreError(sess.validate(credential), cause);
          await assertStoreError(sess.create(userId), cause);
        } finally {
          await sess.close();
        }
      }
    },
  },
];
