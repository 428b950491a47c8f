import { describe, expect, it } from 'vitest';
import { RecentCache } from '../../src/util/recent-cache.ts';

describe('RecentCache', () => {
  it('never holds more than maxEntries', () => {
    for (const max of [1, 2, 3, 10, 11]) {
      const cache = new RecentCache<number>(max);
      for (let i = 0; i < 100; i++) {
        cache.set(`k${i}`, i);
        expect(cache.size).toBeLessThanOrEqual(max);
      }
    }
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

  it('deletes from either generation', () => {
    const cache = new RecentCache<number>(4);
    cache.set('a', 1);
    cache.set('b', 2); // a and b move to the old generation
    cache.set('c', 3);
    cache.delete('a');
    cache.delete('c');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, undefined]);
  });
});
