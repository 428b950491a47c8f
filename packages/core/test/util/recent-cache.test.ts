import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentCache } from '../../src/util/recent-cache.ts';

describe('RecentCache', () => {
  it('never holds more than maxEntries, and holds exactly that many once full', () => {
    for (const max of [1, 2, 3, 10, 11]) {
      const cache = new RecentCache<number>(max);
      for (let i = 0; i < 100; i++) {
        cache.set(`k${i}`, i);
        expect(cache.size).toBe(Math.min(i + 1, max));
      }
    }
  });

  it('holds every one of maxEntries keys read at random, however long the traffic runs', () => {
    // The 10,000-users pattern: as many clients as entries, each coming back at random.
    const cache = new RecentCache<number>(1000);
    let misses = 0;
    for (let i = 0; i < 20_000; i++) {
      const key = `u${(i * 7919) % 1000}`;
      if (cache.get(key) === undefined) {
        misses++;
        cache.set(key, i);
      }
    }
    expect(misses).toBe(1000);
  });

  it('keeps an entry that is read while newer ones arrive, and lets unread ones go', () => {
    const cache = new RecentCache<number>(10);
    cache.set('hot', 1);
    cache.set('cold', 2);
    for (let i = 0; i < 100; i++) {
      cache.set(`k${i}`, i);
      expect(cache.get('hot')).toBe(1);
    }
    expect(cache.get('cold')).toBeUndefined();
  });

  it('replaces the value of a key it holds, without a second entry', () => {
    const cache = new RecentCache<number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    cache.set('b', 3);
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([2, 3, 2]);
  });

  it('deletes, and reuses the freed slot', () => {
    const cache = new RecentCache<number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    cache.delete('a');
    cache.delete('c');
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([
      undefined,
      2,
      undefined,
      1,
    ]);
    cache.set('d', 4);
    cache.set('e', 5);
    expect([cache.get('b'), cache.get('d'), cache.get('e'), cache.size]).toEqual([2, 4, 5, 3]);
  });

  it('answers as a map of the last values set, minus what it evicted (any operations)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(20), value: fc.nat() }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(20) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (max, ops) => {
        const cache = new RecentCache<number>(max);
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = `k${o.key}`;
          if (o.kind === 'set') {
            cache.set(key, o.value);
            model.set(key, o.value);
            expect(cache.get(key)).toBe(o.value); // a value just set is always held
          } else if (o.kind === 'delete') {
            cache.delete(key);
            model.delete(key);
          } else {
            const got = cache.get(key);
            // Held: the last value set. Else evicted (or never set): never a stale value.
            if (got !== undefined) expect(got).toBe(model.get(key));
          }
          expect(cache.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});
