import { describe, expect, it } from 'vitest';
import { type Actor, Replay } from '../../src/guarantees/actor.ts';
import { USERS } from '../../src/guarantees/app.ts';
import { inCell, rows } from '../../src/guarantees/matrix.ts';

const REUSE_WINDOW = 10_000;
const DEAD = ['ERR_SESS_REVOKED', 'ERR_SESS_INVALID_CREDENTIAL', 'ERR_SESS_REFRESH_REUSED'];

// Every way a session is revoked (docs/invalidation.md; ASVS 7.4.1–7.4.5; issue 16, items 4
// and 5). Three devices: `me` acts, `other` is alice's second device, `bob` another user.
// Afterwards each dead device's credentials (replayed as they were before the revocation) and
// its own page or service get a 401 that says revoked, never expired; every survivor still works.
const KINDS = [
  { kind: 'logout', dies: ['me'] },
  { kind: 'revoke one device', dies: ['other'] },
  { kind: 'log out everywhere', dies: ['me', 'other'] },
  { kind: 'log out other devices', dies: ['other'] },
  { kind: 'revokeAllForUser (account disabled)', dies: ['me', 'other'] },
  { kind: 'revokeEverything', dies: ['me', 'other', 'bob'] },
  { kind: 'refresh reuse', dies: ['me'] },
] as const;

type Who = 'me' | 'other' | 'bob';

describe.each(rows(KINDS))('revocation: $kind × $strategy × $mode', ({ kind, dies, ...row }) => {
  it(`ends ${dies.join(', ')} and nothing else`, () =>
    inCell(row, undefined, async (cell) => {
      const { sess, clock } = cell.app;
      const devices: Record<Who, Actor> = {
        me: cell.actor(),
        other: cell.actor(),
        bob: cell.actor(),
      };
      for (const who of ['me', 'other', 'bob'] as const) {
        const user = who === 'bob' ? USERS.bob : USERS.alice;
        expect((await devices[who].login(user)).status).toBe(200);
      }
      const ids = {} as Record<Who, string>;
      const before = {} as Record<Who, Replay>;
      for (const who of ['me', 'other', 'bob'] as const) {
        ids[who] = await devices[who].sessionId();
        before[who] = new Replay(devices[who], devices[who].wire.device);
      }
      await clock.advance(1000);
      const me = devices.me;

      switch (kind) {
        case 'logout': {
          const answer = await me.request('POST', '/auth/logout');
          expect(answer.status).toBe(200);
          if (row.mode !== 'bearer') {
            const cleared = answer.setCookies.filter((c) => c.attributes.get('max-age') === '0');
            expect(cleared.map((c) => c.name)).toContain(sess.cookies.names.session);
            expect(answer.headers.get('clear-site-data')).toMatch(/"cookies"/);
            expect(answer.headers.get('cache-control')).toMatch(/no-store/);
          }
          break;
        }
        case 'revoke one device': {
          const list = await me.request('GET', '/auth/sessions');
          const others = list.body.sessions.filter((s: { current: boolean }) => !s.current);
          expect(others.map((s: { id: string }) => s.id)).toEqual([ids.other]);
          expect((await me.request('DELETE', `/auth/sessions/${ids.other}`)).status).toBe(200);
          break;
        }
        case 'log out everywhere':
        case 'log out other devices': {
          const exceptCurrent = kind === 'log out other devices';
          const answer = await me.logoutAll(exceptCurrent);
          expect([answer.status, answer.body.revoked]).toEqual([200, exceptCurrent ? 1 : 2]);
          if (me.client !== null) {
            // Item 5: the client knows at once, without waiting for a refresh to fail.
            const expected = exceptCurrent
              ? []
              : [{ name: 'loggedOut', code: null, remote: false }];
            expect(me.emitted('loggedOut'), 'loggedOut right after the answer').toEqual(expected);
          }
          break;
        }
        case 'revokeAllForUser (account disabled)':
          expect(await sess.revokeAllForUser(USERS.alice.id)).toBe(2);
          break;
        case 'revokeEverything':
          await sess.revokeEverything();
          break;
        case 'refresh reuse': {
          const rotated = await me.refresh();
          expect(rotated?.status).toBe(200);
          await clock.advance(REUSE_WINDOW + 1000);
          const reuse = await before.me.send('POST', '/auth/refresh');
          expect([reuse.status, reuse.code]).toEqual([401, 'ERR_SESS_REFRESH_REUSED']);
          expect(cell.emitted('refresh.reused').map((e) => e.sessionId)).toEqual([ids.me]);
          break;
        }
      }
      await clock.advance(1000);

      if (kind === 'logout' && me.client !== null) {
        expect(me.emitted('loggedOut')).toEqual([{ name: 'loggedOut', code: null, remote: false }]);
      }
      const live = [...(await sess.list(USERS.alice.id)), ...(await sess.list(USERS.bob.id))].map(
        (s) => s.id,
      );
      for (const who of ['me', 'other', 'bob'] as const) {
        const device = devices[who];
        if ((dies as readonly Who[]).includes(who)) {
          expect(live, `${who}: listed`).not.toContain(ids[who]);
          for (const [method, path] of [
            ['GET', '/me'],
            ['POST', '/auth/refresh'],
          ] as const) {
            const replay = await before[who].send(method, path);
            expect(replay.status, `${who}: replayed ${method} ${path}`).toBe(401);
            expect(DEAD, `${who}: replayed ${method} ${path}`).toContain(replay.code);
          }
          const since = device.wire.log.length;
          expect((await device.use()).status, `${who}: next request`).toBe(401);
          for (const answer of device.wire.log.slice(since)) {
            if (answer.status === 401)
              expect(answer.code, `${who}: ${answer.path}`).not.toBe('ERR_SESS_EXPIRED');
          }
          if (device.client !== null) {
            expect(device.emitted('expired'), `${who}: expired`).toEqual([]);
            expect(device.emitted('loggedOut').length, `${who}: loggedOut`).toBe(1);
          }
        } else {
          expect(live, `${who}: listed`).toContain(ids[who]);
          expect((await device.use()).status, `${who}: next request`).toBe(200);
          if (device.client !== null) expect(device.emitted('loggedOut')).toEqual([]);
        }
      }
    }));
});
