import { describe, expect, it } from 'vitest';
import { Replay } from '../../src/guarantees/actor.ts';
import { inCell, rows } from '../../src/guarantees/matrix.ts';

// Device binding (issue 16, item 1): cookies or tokens replayed from another User-Agent or IP.
// `revoke` ends the session (every later request and refresh is a 401, reason `binding`);
// `event` lets requests through and emits `session.anomaly`. The same in every strategy.
const VARIANTS = [
  { kind: 'userAgent', policy: 'event' },
  { kind: 'userAgent', policy: 'revoke' },
  { kind: 'ip', policy: 'event' },
  { kind: 'ip', policy: 'revoke' },
] as const;

describe.each(rows(VARIANTS))(
  'binding $kind: $policy × $strategy × $mode',
  ({ kind, policy, ...row }) => {
    it(
      policy === 'revoke' ? 'a replay from another device is refused' : 'a replay is reported',
      () =>
        inCell(row, { binding: { [kind]: policy } }, async (cell) => {
          const victim = cell.actor();
          expect((await victim.login()).status).toBe(200);
          expect((await victim.request('GET', '/me')).status).toBe(200);
          const device = { ...victim.wire.device };
          if (kind === 'userAgent') device.userAgent = 'thief-browser/9';
          else device.ip = '203.0.113.9';
          const thief = new Replay(victim, device);
          const anomaly = { kind: kind === 'userAgent' ? 'user-agent' : 'ip', action: policy };

          const me = await thief.send('GET', '/me');
          if (policy === 'revoke') {
            expect(me.status, 'GET /me from the other device').toBe(401);
            expect(cell.emitted('session.anomaly')).toContainEqual(
              expect.objectContaining(anomaly),
            );
            const refresh = await thief.send('POST', '/auth/refresh');
            expect(refresh.status, 'POST /auth/refresh from the other device').toBe(401);
            expect(cell.emitted('session.revoked').map((e) => e.reason)).toContain('binding');
            expect(await victim.liveSessions()).toEqual([]);
          } else {
            expect(me.status, 'GET /me from the other device').toBe(200);
            expect(cell.emitted('session.anomaly')).toContainEqual(
              expect.objectContaining(anomaly),
            );
            expect((await victim.request('GET', '/me')).status).toBe(200);
            expect((await thief.send('POST', '/auth/refresh')).status).toBe(200);
            expect(cell.emitted('session.revoked')).toEqual([]);
          }
        }),
    );
  },
);
