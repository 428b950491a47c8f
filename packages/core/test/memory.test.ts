import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/memory.ts';
import { GLOBAL_SCOPE, type RevocationEvent, type SessionRecord } from '../src/store.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

function frozenClock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

let seq = 0;
function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  seq++;
  return {
    id: `id-${seq}`,
    userId: 'alice',
    secretHash: `hash-${seq}`,
    prevSecretHash: null,
    retiredSecretHashes: [],
    rotatedAt: null,
    generation: 0,
    createdAt: T0,
    authenticatedAt: T0,
    lastActiveAt: T0,
    idleExpiresAt: T0 + 60_000,
    absoluteExpiresAt: T0 + 60_000,
    expiresAt: T0 + 60_000,
    sessionClass: 'standard',
    version: 1,
    data: { nested: { list: [1, 'two'] } },
    meta: { userAgent: null },
    ...overrides,
  };
}

describe('memoryStore', () => {
  it('copies records in and out', async () => {
    const store = memoryStore({ clock: frozenClock() });
    const r = record();
    await store.create(r);
    (r.data.nested as { list: unknown[] }).list.push('mutated');
    const read = await store.get(r.id);
    expect(read).toEqual({ ...r, data: { nested: { list: [1, 'two'] } } });
    read!.userId = 'mallory';
    expect((await store.get(r.id))?.userId).toBe('alice');
    expect(await store.get(r.id)).not.toBe(await store.get(r.id));
  });

  it('enforces expiry on read with the injected clock (live while expiresAt > now)', async () => {
    const clock = frozenClock();
    const store = memoryStore({ clock });
    const r = record({ expiresAt: T0 + 1_000 });
    await store.create(r);
    clock.advance(999);
    expect(await store.get(r.id)).not.toBeNull();
    clock.advance(1);
    expect(await store.get(r.id)).toBeNull();
    expect(await store.listByUser('alice')).toEqual([]);
  });

  it('uses the system clock by default', async () => {
    const store = memoryStore();
    const past = record({ expiresAt: Date.now() - 1 });
    const future = record({ expiresAt: Date.now() + 60_000 });
    await store.create(past);
    await store.create(future);
    expect(await store.get(past.id)).toBeNull();
    expect(await store.get(future.id)).toEqual(future);
  });

  it('treats an expired id as missing: create may reuse it, delete and deleteByUser do not count it', async () => {
    const clock = frozenClock();
    const store = memoryStore({ clock });
    const old = record({ expiresAt: T0 + 10 });
    await store.create(old);
    await store.create(record({ id: 'doomed', expiresAt: T0 + 10 }));
    await store.create(record({ id: 'other', expiresAt: T0 + 10 }));
    clock.advance(10);
    const reused = record({ id: old.id, userId: 'bob' });
    await store.create(reused);
    expect(await store.get(old.id)).toEqual(reused);
    expect(await store.delete('doomed')).toBe(false);
    expect(await store.deleteByUser('alice')).toBe(0);
    expect(await store.listByUser('bob')).toEqual([reused]);
  });

  it('re-indexes a record whose update moves it to another user', async () => {
    const store = memoryStore({ clock: frozenClock() });
    const r = record();
    await store.create(r);
    expect(await store.update({ ...r, userId: 'bob', version: 2 }, 1)).toBe(true);
    expect(await store.listByUser('alice')).toEqual([]);
    expect((await store.listByUser('bob')).map((x) => x.id)).toEqual([r.id]);
    expect(await store.deleteByUser('alice')).toBe(0);
    expect(await store.deleteByUser('bob')).toBe(1);
  });

  it('deleteExpired uses the given time and counts records and deny entries', async () => {
    const store = memoryStore({ clock: frozenClock() });
    await store.create(record({ expiresAt: T0 + 100 }));
    await store.create(record({ expiresAt: T0 + 300 }));
    await store.deny('a', T0 + 100);
    await store.deny('b', T0 + 300);
    expect(await store.deleteExpired(T0 + 200)).toBe(2);
    expect(await store.listByUser('alice')).toHaveLength(1);
    expect(await store.isDenied('b')).toBe(true);
    expect(await store.deleteExpired(T0 + 200)).toBe(0);
  });

  describe('subscribe', () => {
    it('fans out deny and not-before synchronously, with the kept values, frozen', async () => {
      const store = memoryStore({ clock: frozenClock() });
      const events: RevocationEvent[] = [];
      store.subscribe((e) => events.push(e));
      const pending = store.deny('jti', T0 + 5_000);
      expect(events).toEqual([{ type: 'deny', key: 'jti', expiresAt: T0 + 5_000 }]); // before any await
      await pending;
      await store.deny('jti', T0 + 1_000);
      await store.setNotBefore(GLOBAL_SCOPE, T0 + 10);
      await store.setNotBefore(GLOBAL_SCOPE, T0 + 5);
      expect(events.slice(1)).toEqual([
        { type: 'deny', key: 'jti', expiresAt: T0 + 5_000 },
        { type: 'not-before', scope: GLOBAL_SCOPE, at: T0 + 10 },
        { type: 'not-before', scope: GLOBAL_SCOPE, at: T0 + 10 },
      ]);
      expect(Object.isFrozen(events[0])).toBe(true);
    });

    it('delivers to every listener when one throws, then rejects with that error', async () => {
      const store = memoryStore({ clock: frozenClock() });
      const boom = new Error('listener failed');
      const seen: string[] = [];
      store.subscribe(() => {
        seen.push('first');
        throw boom;
      });
      store.subscribe(() => void seen.push('second'));
      await expect(store.deny('jti', T0 + 1_000)).rejects.toBe(boom);
      expect(seen).toEqual(['first', 'second']);
      expect(await store.isDenied('jti')).toBe(true); // the write itself happened
    });

    it('stops delivery after unsubscribe, even when unsubscribing mid fan-out', async () => {
      const store = memoryStore({ clock: frozenClock() });
      const seen: string[] = [];
      const offA = store.subscribe(() => {
        seen.push('a');
        offB();
      });
      const offB = store.subscribe(() => void seen.push('b'));
      await store.deny('one', T0 + 1);
      offA();
      await store.deny('two', T0 + 1);
      expect(seen).toEqual(['a', 'b']);
    });
  });

  it('rejects every operation after close and forgets its state', async () => {
    const store = memoryStore({ clock: frozenClock() });
    const r = record();
    await store.create(r);
    await store.close();
    const ops: (() => Promise<unknown>)[] = [
      () => store.create(record()),
      () => store.get(r.id),
      () => store.update({ ...r, version: 2 }, 1),
      () => store.delete(r.id),
      () => store.listByUser('alice'),
      () => store.deleteByUser('alice'),
      () => store.deny('k', T0 + 1),
      () => store.isDenied('k'),
      () => store.setNotBefore('alice', T0),
      () => store.getNotBefore('alice'),
      () => store.deleteExpired(T0),
    ];
    for (const op of ops) await expect(op()).rejects.toThrow(/closed/);
    expect(() => store.subscribe(() => {})).toThrow(/closed/);
  });
});
