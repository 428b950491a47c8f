import { randomBytes } from 'node:crypto';
import { createSessionManager, type SessionStore, STORE_OPERATIONS } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { describe, expect, it } from 'vitest';
import { countingStore, makeRecord, manualClock, WRITE_OPERATIONS } from '../src/index.ts';

const writes = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([operation]) => WRITE_OPERATIONS.has(operation))
    .reduce((sum, [, n]) => sum + n, 0);

describe('countingStore', () => {
  it('counts every operation per name, and reset() empties the same object', async () => {
    const clock = manualClock();
    const store = countingStore(memoryStore({ clock }));
    const record = makeRecord(clock.now());
    await store.create(record);
    await store.get(record.id);
    await store.get(record.id);
    await store.isDenied('k');
    const { calls } = store;
    expect(calls).toEqual({ create: 1, get: 2, isDenied: 1 });
    store.reset();
    expect(store.calls).toBe(calls);
    expect(calls).toEqual({});
    await store.delete(record.id);
    expect(calls).toEqual({ delete: 1 });
  });

  it('counts a call that rejects', async () => {
    const inner = memoryStore();
    const store = countingStore(inner);
    await inner.close?.();
    await expect(store.get('x')).rejects.toMatchObject({ code: 'ERR_SESS_STORE' });
    expect(store.calls).toEqual({ get: 1 });
  });

  it('has exactly the optional methods of the inner store; subscribe and close are uncounted', async () => {
    const inner = memoryStore();
    const store = countingStore(inner);
    for (const operation of STORE_OPERATIONS) {
      expect(typeof store[operation], operation).toBe(typeof inner[operation]);
    }
    const bare = countingStore({
      ...inner,
      createCapped: undefined,
      getExpired: undefined,
      stats: undefined,
      deleteExpired: undefined,
    } as SessionStore);
    expect(bare.createCapped).toBeUndefined();
    expect(bare.getExpired).toBeUndefined();
    const unsubscribe = store.subscribe?.(() => {});
    unsubscribe?.();
    await store.close?.();
    expect(store.calls).toEqual({});
  });

  it('classifies every operation that changes data as a write', () => {
    expect([...WRITE_OPERATIONS].sort()).toEqual(
      [
        'create',
        'createCapped',
        'delete',
        'deleteByUser',
        'deleteExpired',
        'deny',
        'setNotBefore',
        'update',
      ].sort(),
    );
  });

  it('shows a validation below the touch threshold writes nothing', async () => {
    const clock = manualClock();
    const store = countingStore(memoryStore({ clock }));
    const sess = createSessionManager({
      store,
      secret: randomBytes(32).toString('base64url'),
      clock,
    });
    const { credential } = await sess.create('user-1');
    await sess.validate(credential);
    store.reset();
    for (let i = 0; i < 10; i++) await sess.validate(credential);
    expect(writes(store.calls)).toBe(0);
    expect(store.calls.get).toBeGreaterThanOrEqual(10);
    sess.close();
  });
});
