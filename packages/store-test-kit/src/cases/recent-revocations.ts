import assert from 'node:assert/strict';
import { GLOBAL_SCOPE, type RevocationEvent, type SessionStore } from '@sess/core';
import { randomId } from '../fixtures.ts';
import type { CaseContext, ConformanceCase } from '../types.ts';

const WRITES = 80;
const READS = 20;
const MINUTE = 60_000;

type Recent = NonNullable<SessionStore['recentRevocations']>;

function recentOf(ctx: CaseContext): Recent {
  const found = ctx.store.recentRevocations;
  if (!found) {
    return ctx.skip(
      'the store has no recentRevocations (optional: core then keeps no revocation replica)',
    );
  }
  return found.bind(ctx.store);
}

const subjectOf = (event: RevocationEvent): string =>
  event.type === 'deny' ? `deny ${event.key}` : `not-before ${event.scope}`;
const timeOf = (event: RevocationEvent): number =>
  event.type === 'deny' ? event.expiresAt : event.at;

/**
 * Asserts that every event is well formed (numbers as numbers: a bigint column read back as a
 * string would make the replica compare strings) and that no deny entry expired at `now` is in it;
 * returns the distinct values found per subject (`deny <key>`, `not-before <scope>`).
 */
function wellFormed(events: unknown, now: number, what: string): Map<string, Set<number>> {
  assert.ok(Array.isArray(events), `${what}: recentRevocations resolves to an array`);
  const found = new Map<string, Set<number>>();
  for (const event of events as RevocationEvent[]) {
    const shown = JSON.stringify(event);
    if (event?.type === 'deny') {
      assert.equal(typeof event.key, 'string', `${what}: a deny event has a string key: ${shown}`);
      assert.ok(
        typeof event.expiresAt === 'number' && Number.isFinite(event.expiresAt),
        `${what}: a deny event's expiresAt is a finite number: ${shown}`,
      );
      assert.ok(
        event.expiresAt > now,
        `${what}: a deny entry expired at \`now\` is never returned: ${shown}`,
      );
    } else if (event?.type === 'not-before') {
      assert.equal(
        typeof event.scope,
        'string',
        `${what}: a watermark has a string scope: ${shown}`,
      );
      assert.ok(
        typeof event.at === 'number' && Number.isFinite(event.at),
        `${what}: a watermark's at is a finite number: ${shown}`,
      );
    } else {
      assert.fail(`${what}: an event is { type: 'deny' | 'not-before', ... }, got ${shown}`);
    }
    const subject = subjectOf(event);
    found.set(subject, (found.get(subject) ?? new Set()).add(timeOf(event)));
  }
  return found;
}

async function answer(
  recent: Recent,
  since: number,
  now: number,
  what: string,
): Promise<Map<string, Set<number>>> {
  return wellFormed(await recent(since, now), now, what);
}

const deny = (key: string, expiresAt: number): RevocationEvent => ({
  type: 'deny',
  key,
  expiresAt,
});
const notBefore = (scope: string, at: number): RevocationEvent => ({
  type: 'not-before',
  scope,
  at,
});

/** `event`'s subject is in the answer, with exactly `event`'s value (its current one). */
function assertHolds(found: Map<string, Set<number>>, event: RevocationEvent, why: string): void {
  const subject = subjectOf(event);
  const values = found.get(subject);
  assert.ok(values, `${why}: ${subject} is missing from the answer`);
  assert.deepStrictEqual(
    [...values],
    [timeOf(event)],
    `${why}: ${subject} is returned with its current value only`,
  );
}

function assertAbsent(found: Map<string, Set<number>>, event: RevocationEvent, why: string): void {
  assert.equal(found.has(subjectOf(event)), false, `${why}: ${subjectOf(event)} is returned`);
}

export const recentRevocationCases: ConformanceCase[] = [
  {
    id: 'recent-revocations',
    title:
      'recentRevocations(since, now): deny entries and watermarks written at or after since, with their current values; deny entries expired at now never',
    async run(ctx) {
      const recent = recentOf(ctx);
      const { store, now, clock } = ctx;
      const t0 = now();
      const key = `jti-${randomId()}`;
      const short = `jti-${randomId()}`;
      const stale = `jti-${randomId()}`;
      const user = `user-${randomId()}`;
      await store.deny(key, t0 + MINUTE);
      await store.deny(short, t0 + 30_000);
      await store.setNotBefore(user, t0 + 1_000);
      await store.setNotBefore(GLOBAL_SCOPE, t0 + 500);
      await store.deny(key, t0 + 90_000);
      await store.setNotBefore(user, t0 + 2_000);
      await store.setNotBefore(GLOBAL_SCOPE, t0 + 800);
      await store.deny(stale, t0 - 1_000);

      const first = await answer(recent, t0, now(), 'since the first write');
      assertHolds(first, deny(key, t0 + 90_000), 'a deny entry, extended');
      assertHolds(first, deny(short, t0 + 30_000), 'a deny entry');
      assertHolds(first, notBefore(user, t0 + 2_000), 'a user watermark, raised');
      assertHolds(first, notBefore(GLOBAL_SCOPE, t0 + 800), 'the global watermark, raised');
      assertAbsent(first, deny(stale, 0), 'a deny entry already expired when written');

      // Expiry is judged at the `now` given, not by the store's clock.
      const ahead = await answer(recent, t0, t0 + 30_000, 'at a later now');
      assertAbsent(ahead, deny(short, 0), 'a deny entry expiring at that now');
      assertHolds(ahead, deny(key, t0 + 90_000), 'a deny entry still live at that now');
      assertHolds(ahead, notBefore(user, t0 + 2_000), 'a watermark (watermarks do not expire)');

      if (!clock) return;
      // Writes after a later `since` are in its answer; older ones may be too (the contract lets
      // an answer repeat), but only with their current values.
      clock.advance(1_000);
      const t1 = now();
      const later = `jti-${randomId()}`;
      const other = `user-${randomId()}`;
      await store.deny(later, t1 + MINUTE);
      await store.setNotBefore(other, t1);
      clock.advance(1_000);
      const second = await answer(recent, t1, now(), 'since a later instant');
      assertHolds(second, deny(later, t1 + MINUTE), 'a deny entry written after since');
      assertHolds(second, notBefore(other, t1), 'a watermark written after since');
      for (const [event, why] of [
        [deny(key, t0 + 90_000), 'an older deny entry'],
        [notBefore(user, t0 + 2_000), 'an older watermark'],
      ] as const) {
        if (second.has(subjectOf(event))) assertHolds(second, event, why);
      }

      clock.advance(30_000); // `short` is past its expiry now, by the store's clock too
      const third = await answer(recent, t0, now(), 'after an expiry');
      assertAbsent(third, deny(short, 0), 'a deny entry past its expiry at now');
      assertHolds(third, deny(later, t1 + MINUTE), 'a live deny entry');
      assertHolds(third, notBefore(GLOBAL_SCOPE, t0 + 800), 'the global watermark');
    },
  },
  {
    id: 'recent-revocations-rewrite',
    title:
      'recentRevocations: writing an entry again (a later or an earlier expiry, a lower watermark) is a new write, returned with the value kept',
    async run(ctx) {
      const recent = recentOf(ctx);
      const { store, now, clock } = ctx;
      const t0 = now();
      const extended = `jti-${randomId()}`;
      const repeated = `jti-${randomId()}`;
      const user = `user-${randomId()}`;
      await store.deny(extended, t0 + MINUTE);
      await store.deny(repeated, t0 + MINUTE);
      await store.setNotBefore(user, t0 + 5_000);
      await store.setNotBefore(GLOBAL_SCOPE, t0 + 500);

      // With a clock the first writes are strictly older than `since`; without one they may share
      // its millisecond, and the case proves less.
      clock?.advance(1_000);
      const since = now();
      await store.deny(extended, t0 + 90_000);
      await store.deny(repeated, t0 + 30_000); // keeps t0 + 60 s, but ran after since
      await store.setNotBefore(user, t0 + 1_000); // keeps t0 + 5 s, but ran after since
      await store.setNotBefore(GLOBAL_SCOPE, t0 + 100);
      clock?.advance(1_000);

      const found = await answer(recent, since, now(), 'since the second writes');
      assertHolds(found, deny(extended, t0 + 90_000), 'a deny entry written again, later');
      assertHolds(found, deny(repeated, t0 + MINUTE), 'a deny entry written again, earlier');
      assertHolds(found, notBefore(user, t0 + 5_000), 'a user watermark set again, lower');
      assertHolds(found, notBefore(GLOBAL_SCOPE, t0 + 500), 'the global watermark set again');
    },
  },
  {
    id: 'recent-revocations-concurrent',
    title: `recentRevocations: ${WRITES} parallel deny/setNotBefore calls among ${READS} parallel queries; no write lost, every answer well formed`,
    async run(ctx) {
      const recent = recentOf(ctx);
      const { store, now } = ctx;
      const t0 = now();
      const shared = `jti-${randomId()}`;
      const sharedUser = `user-${randomId()}`;
      // What the final answer must hold, by subject, and every value a subject may show mid-flight.
      const expected = new Map<string, number>();
      const allowed = new Map<string, Set<number>>();
      const written = (event: RevocationEvent): void => {
        const subject = subjectOf(event);
        expected.set(subject, Math.max(expected.get(subject) ?? 0, timeOf(event)));
        allowed.set(subject, (allowed.get(subject) ?? new Set()).add(timeOf(event)));
      };
      const writes: Promise<void>[] = [];
      const reads: Promise<RevocationEvent[]>[] = [];
      for (let i = 0; i < WRITES; i++) {
        let event: RevocationEvent;
        if (i % 4 === 0) event = deny(`jti-${randomId()}`, t0 + MINUTE + i);
        else if (i % 4 === 1) event = notBefore(`user-${randomId()}`, t0 + i);
        else if (i % 4 === 2) event = deny(shared, t0 + MINUTE + i);
        else event = notBefore(i % 8 === 3 ? sharedUser : GLOBAL_SCOPE, t0 + i);
        written(event);
        writes.push(
          event.type === 'deny'
            ? store.deny(event.key, event.expiresAt)
            : store.setNotBefore(event.scope, event.at),
        );
        if (i % (WRITES / READS) === 0) reads.push(recent(t0, now()));
      }
      const [, midFlight] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
      for (const [n, events] of midFlight.entries()) {
        const found = wellFormed(events, now(), `mid-flight answer ${n}`);
        for (const [subject, values] of found) {
          const may = allowed.get(subject);
          if (!may) continue; // not written by this case
          for (const value of values) {
            assert.ok(
              may.has(value),
              `mid-flight answer ${n}: ${subject} = ${value} was never written`,
            );
          }
        }
      }

      const found = wellFormed(await recent(t0, now()), now(), 'after every write resolved');
      const missing = [...expected.keys()].filter((subject) => !found.has(subject));
      assert.deepStrictEqual(missing, [], 'no resolved write is missing from the answer');
      for (const [subject, value] of expected) {
        assert.deepStrictEqual(
          [...found.get(subject)!],
          [value],
          `${subject}: the value kept (the highest written), and only it`,
        );
      }
    },
  },
];
