import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/guarantees/actor.ts';
import { inCell, rows } from '../../src/guarantees/matrix.ts';

// maxSessionsPerUser (issue 16, item 2; ASVS 7.1.2): one user never holds more than `limit` live
// sessions, logging in one after the other or 50 at once. `evict-oldest` lets every login in and
// ends the oldest sessions (reason `evicted`); `reject` refuses the logins past the limit with
// 409 ERR_SESS_SESSION_LIMIT and keeps the sessions there are. Store calls yield to the event
// loop (as a networked store's do), so the 50 logins really interleave.
const LIMIT = 2;
const PARALLEL = 50;
const VARIANTS = [
  { policy: 'evict-oldest', logins: 'sequential' },
  { policy: 'evict-oldest', logins: 'parallel' },
  { policy: 'reject', logins: 'sequential' },
  { policy: 'reject', logins: 'parallel' },
] as const;

describe.each(rows(VARIANTS))(
  'maxSessionsPerUser $policy, $logins logins × $strategy × $mode',
  ({ policy, logins, ...row }) => {
    it(`leaves at most ${LIMIT} live sessions`, () =>
      inCell(
        row,
        { maxSessionsPerUser: { limit: LIMIT, policy } },
        async (cell) => {
          const count = logins === 'parallel' ? PARALLEL : LIMIT + 1;
          const actors: Actor[] = Array.from({ length: count }, () => cell.actor());
          const answers = [];
          if (logins === 'parallel') {
            // Every login form is loaded first, so the 50 logins leave together.
            await Promise.all(actors.map((a) => a.prepare()));
            answers.push(...(await Promise.all(actors.map((a) => a.login()))));
          } else {
            for (const actor of actors) {
              answers.push(await actor.login());
              await cell.app.clock.advance(1000);
            }
          }
          const live = await actors[0]!.liveSessions();
          const ok = answers.filter((a) => a.status === 200);
          const refused = answers.filter((a) => a.status !== 200);
          if (policy === 'evict-oldest') {
            expect(refused.map((a) => a.status)).toEqual([]);
            expect(live.length).toBeGreaterThanOrEqual(1);
            expect(live.length).toBeLessThanOrEqual(LIMIT);
            expect(cell.emitted('session.revoked').map((e) => e.reason)).toContain('evicted');
          } else {
            expect(ok.length).toBe(LIMIT);
            expect(live.length).toBe(LIMIT);
            for (const answer of refused) {
              expect(answer.status).toBe(409);
              expect(answer.code).toBe('ERR_SESS_SESSION_LIMIT');
            }
          }
          // Whoever holds a session the store lists can use it; nobody else can.
          const usable = [];
          for (const actor of actors) {
            if ((await actor.request('GET', '/me')).status === 200) usable.push(actor);
          }
          expect(usable.length).toBe(live.length);
          if (logins === 'sequential') {
            // evict-oldest: the first device lost its session; reject: the last one never had one.
            const out = policy === 'evict-oldest' ? actors[0]! : actors.at(-1)!;
            expect(usable).not.toContain(out);
          }
        },
        { storeLatency: true },
      ));
  },
);
