import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Replay } from '../../src/guarantees/actor.ts';
import { USERS } from '../../src/guarantees/app.ts';
import { inCell, rows } from '../../src/guarantees/matrix.ts';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');

// No cookie value chosen before login survives login (issue 16, item 6; session fixation, ASVS
// 7.2.4; login CSRF, 3.5.1): every sess cookie the browser held before `POST /auth/login` (the
// pre-session CSRF cookie, or values an attacker planted) is cleared or given a new value by the
// login answer, and a planted value is never accepted. Browser modes only: a bearer client has
// no cookie jar, and the tokens it gets are minted by the login itself (the re-login cell below).
const PLANTS = [{ planted: 'pre-session CSRF cookie' }, { planted: 'session and refresh cookies' }];

describe.each(rows(PLANTS, { modes: ['raw', 'cookie'] }))(
  'login replaces the $planted × $strategy × $mode',
  ({ planted, ...row }) => {
    it('no pre-login cookie value survives', () =>
      inCell(row, undefined, async (cell) => {
        const names = cell.app.sess.cookies.names;
        const actor = cell.actor();
        await actor.prepare();
        expect(actor.wire.cookie(names.csrf), 'pre-session cookie').toBeDefined();
        const plantedId = b64(16);
        if (planted !== 'pre-session CSRF cookie') {
          const value = `${plantedId}.${b64(32)}`;
          actor.wire.jar.set(names.session, { value, path: '/' });
          actor.wire.jar.set(names.refresh, { value, path: '/auth/refresh' });
        }
        const before = new Map([...actor.wire.jar].map(([name, c]) => [name, c.value]));
        const login = await actor.login();
        expect(login.status).toBe(200);
        for (const [name, value] of before) {
          const set = login.setCookies.filter((c) => c.name === name).at(-1);
          expect(set, `${name}: set or cleared by the login answer`).toBeDefined();
          if (set?.attributes.get('max-age') !== '0') {
            expect(set?.value, `${name}: a new value`).not.toBe(value);
          }
        }
        const id = await actor.sessionId();
        expect(id).not.toBe(plantedId);
        expect((await actor.liveSessions()).sort()).toEqual([id]);
      }));
  },
);

// Logging in again (same user, same device) always moves to a new session id; the previous
// credentials stop working at once (ASVS 7.2.4, 7.2.2).
describe.each(rows())('re-login × $strategy × $mode', (row) => {
  it('gets a new session, and the old one is dead', () =>
    inCell(row, undefined, async (cell) => {
      const actor = cell.actor();
      expect((await actor.login()).status).toBe(200);
      const first = await actor.sessionId();
      const old = new Replay(actor, actor.wire.device);
      await cell.app.clock.advance(1000);
      expect((await actor.login(USERS.alice)).status).toBe(200);
      const second = await actor.sessionId();
      expect(second).not.toBe(first);
      const me = await old.send('GET', '/me');
      expect(me.status).toBe(401);
      expect((await old.send('POST', '/auth/refresh')).status).toBe(401);
      expect(await actor.liveSessions()).toEqual([second]);
    }));
});
