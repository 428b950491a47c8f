import assert from 'node:assert/strict';
import { GLOBAL_SCOPE, type RevocationEvent } from '@sess/core';
import { randomId } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';
import { recentRevocationCases } from './recent-revocations.ts';

// Broadcasting stores deliver events asynchronously (pub/sub); waiting for an event is not a sleep.
const EVENT_TIMEOUT_MS = 2_000;

function eventLog() {
  const events: RevocationEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    events,
    listener(event: RevocationEvent): void {
      events.push(event);
      for (const wake of waiters) wake();
    },
    waitFor(match: (event: RevocationEvent) => boolean, what: string): Promise<RevocationEvent> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} event within ${EVENT_TIMEOUT_MS} ms`));
        }, EVENT_TIMEOUT_MS);
        waiters.add(check);
        check();
      });
    },
  };
}

export const revocationCases: ConformanceCase[] = [
  {
    id: 'deny-list',
    title: 'deny/isDenied: per key, the later expiry is kept, expired entries read as not denied',
    async run({ store, now, clock }) {
      const key = `jti-${randomId()}`;
      assert.equal(await store.isDenied(key), false);
      await store.deny(key, now() + 60_000);
      assert.equal(await store.isDenied(key), true);
      assert.equal(await store.isDenied(`jti-${randomId()}`), false);

      await store.deny(key, now() + 1_000);
      await store.deny(key, now() - 1_000);
      const stale = `jti-${randomId()}`;
      await store.deny(stale, now() - 1_000);
      assert.equal(await store.isDenied(stale), false, 'an entry already expired is not denied');

      if (clock) {
        clock.advance(30_000);
        assert.equal(await store.isDenied(key), true, 'the later expiry was kept');
        clock.advance(30_001);
        assert.equal(await store.isDenied(key), false, 'expired on read');
      } else {
        assert.equal(await store.isDenied(key), true, 'the later expiry was kept');
      }
    },
  },
  {
    id: 'not-before',
    title: 'watermarks: per user and global, getNotBefore is the max of both, never lowered',
    async run({ store, now }) {
      const alice = `user-${randomId()}`;
      const bob = `user-${randomId()}`;
      const t = now();
      assert.equal(await store.getNotBefore(alice), 0);

      await store.setNotBefore(alice, t + 1_000);
      assert.equal(await store.getNotBefore(alice), t + 1_000);
      assert.equal(await store.getNotBefore(bob), 0, 'one user’s watermark does not touch another');
      await store.setNotBefore(alice, t + 500);
      assert.equal(await store.getNotBefore(alice), t + 1_000, 'a user watermark is never lowered');

      await store.setNotBefore(GLOBAL_SCOPE, t + 2_000);
      assert.equal(await store.getNotBefore(alice), t + 2_000);
      assert.equal(await store.getNotBefore(bob), t + 2_000);
      await store.setNotBefore(bob, t + 3_000);
      assert.equal(await store.getNotBefore(bob), t + 3_000, 'the user watermark wins when later');
      assert.equal(await store.getNotBefore(alice), t + 2_000);

      await store.setNotBefore(GLOBAL_SCOPE, t + 100);
      assert.equal(
        await store.getNotBefore(alice),
        t + 2_000,
        'the global watermark is never lowered',
      );
      await store.setNotBefore(alice, t + 2_500);
      assert.equal(await store.getNotBefore(alice), t + 2_500);
    },
  },
  {
    id: 'subscribe',
    title: 'subscribe receives deny and not-before events; unsubscribe stops delivery',
    async run({ store, now, skip }) {
      if (!store.subscribe)
        return skip('the store has no subscribe (optional: it cannot broadcast)');
      const first = eventLog();
      const unsubscribe = store.subscribe(first.listener);
      const key = `jti-${randomId()}`;
      const expiresAt = now() + 60_000;
      const userId = `user-${randomId()}`;
      const at = now() + 1_000;
      try {
        await store.deny(key, expiresAt);
        await store.setNotBefore(userId, at);
        const denied = await first.waitFor((e) => e.type === 'deny' && e.key === key, 'deny');
        assert.deepStrictEqual(denied, { type: 'deny', key, expiresAt });
        const raised = await first.waitFor(
          (e) => e.type === 'not-before' && e.scope === userId,
          'not-before',
        );
        assert.deepStrictEqual(raised, { type: 'not-before', scope: userId, at });
      } finally {
        unsubscribe();
      }

      // Delivery order is per backend channel: once a later subscriber sees the event, an
      // unsubscribed one would have seen it too.
      const second = eventLog();
      const unsubscribeSecond = store.subscribe(second.listener);
      try {
        const after = `jti-${randomId()}`;
        await store.deny(after, expiresAt);
        await second.waitFor((e) => e.type === 'deny' && e.key === after, 'deny');
        assert.equal(
          first.events.some((e) => e.type === 'deny' && e.key === after),
          false,
          'no delivery after unsubscribe',
        );
      } finally {
        unsubscribeSecond();
      }
    },
  },
  ...recentRevocationCases,
];
