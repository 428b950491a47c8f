import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSessionManager, type SessionManager } from '@sess/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, backends } from './backends.ts';
import { expectClean, randomSecret, sess, sessOnTerminal, tempDir } from './support.ts';

const dir = tempDir();
const HOUR = 3_600_000;

/** The app's side: a session manager over the same backend, and what it issued. */
interface Seeded {
  backend: Backend;
  app: SessionManager;
  credentials: Record<string, string[]>;
  ids: Record<string, string[]>;
  /** Every credential issued, to prove none is ever printed. */
  secrets: string[];
}

async function seed(backend: Backend, users: Record<string, number>): Promise<Seeded> {
  // Staleness 0: SQLite cannot broadcast, and the test checks revocations at once.
  const app = createSessionManager({
    store: backend.store,
    secret: randomSecret(),
    revocation: { staleness: 0 },
  });
  const credentials: Record<string, string[]> = {};
  const ids: Record<string, string[]> = {};
  for (const [user, count] of Object.entries(users)) {
    for (let i = 0; i < count; i++) {
      const issued = await app.create(user, {
        data: { note: 'private-app-data' },
        request: { userAgent: `browser-${i}`, ip: '192.0.2.1' },
      });
      credentials[user] = [...(credentials[user] ?? []), issued.credential];
      ids[user] = [...(ids[user] ?? []), issued.session.id];
    }
  }
  return { backend, app, credentials, ids, secrets: Object.values(credentials).flat() };
}

for (const [name, open] of Object.entries(backends)) {
  describe.skipIf(open === null)(`administration against ${name}`, () => {
    let seeded: Seeded;
    const cli = (args: string[]) => sess([...args, ...seeded.backend.flags]);

    beforeEach(async () => {
      seeded = await seed(await open!(dir), { alice: 3, bob: 2 });
    });
    afterEach(async () => {
      seeded.app.close();
      await seeded.backend.cleanup();
    });

    it('stats counts live sessions, users and those expiring soon; sessions list shows one user’s', async () => {
      const stats = await cli(['stats', '--top', '1', '--json']);
      expect(stats.code).toBe(0);
      expect(stats.json()).toMatchObject({
        sessions: 5,
        users: 2,
        expiringSoon: 5, // idle timeout 30m, inside the default hour
        topUsers: [{ userId: 'alice', sessions: 3 }],
        revokedBefore: null,
      });
      const later = await cli(['stats', '--expiring-within', '10m', '--json']);
      expect(later.json()).toMatchObject({
        expiringSoon: 0,
        topUsers: [{ userId: 'alice' }, { userId: 'bob' }],
      });

      const list = await cli(['sessions', 'list', '--user', 'alice', '--json']);
      expect(list.code).toBe(0);
      const { sessions } = list.json<{ sessions: Record<string, unknown>[] }>();
      expect(sessions.map((s) => s.id).sort()).toEqual([...seeded.ids.alice!].sort());
      expect(sessions[0]).toMatchObject({
        userId: 'alice',
        sessionClass: 'standard',
        ip: '192.0.2.1',
      });
      expect(sessions[0]).not.toHaveProperty('data');

      const human = await cli(['sessions', 'list', '--user', 'alice']);
      expect(human.stdout).toMatch(/^ID\s+CLASS\s+CREATED/);
      for (const run of [stats, later, list, human]) {
        expectClean(run, [...seeded.secrets, 'private-app-data']);
      }
    });

    it('sessions revoke refuses without --yes and no terminal; with --yes it revokes and deny-lists', async () => {
      const [id] = seeded.ids.alice!;
      const refused = await cli(['sessions', 'revoke', id!]);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/pass --yes/);
      expect(await seeded.backend.store.get(id!)).not.toBeNull();

      const run = await cli(['sessions', 'revoke', id!, '--yes', '--json']);
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ revoked: true, sessionId: id, userId: 'alice' });
      expect(await seeded.backend.store.get(id!)).toBeNull();
      expect(await seeded.backend.store.isDenied(`sid:${id}`)).toBe(true);
      await expect(seeded.app.validate(seeded.credentials.alice![0])).rejects.toMatchObject({
        code: 'ERR_SESS_INVALID_CREDENTIAL',
      });
      await expect(seeded.app.validate(seeded.credentials.alice![1])).resolves.toBeTruthy();

      const missing = await cli(['sessions', 'revoke', id!, '--yes', '--json']);
      expect(missing.code).toBe(1);
      expect(missing.json()).toMatchObject({ error: { code: 'ERR_SESS_CLI_NOT_FOUND' } });
      expectClean(run, seeded.secrets);
    });

    it('takes a session id that starts with "-" (one in 64 does) as the id, not an option', async () => {
      const record = (await seeded.backend.store.get(seeded.ids.alice![1]!))!;
      // "-y" and "-V" read as options (--yes, --version) unless the CLI keeps ids apart.
      for (const second of ['y', 'V', 'A', '-']) {
        const id = `-${second}${record.id.slice(2)}`;
        await seeded.backend.store.create({ ...record, id });
        const run = await cli(['sessions', 'revoke', id, '--yes', '--json']);
        expect(run.code, `${id}: ${run.stdout}${run.stderr}`).toBe(0);
        expect(run.json()).toMatchObject({ revoked: true, sessionId: id });
        expect(await seeded.backend.store.get(id)).toBeNull();
      }
      const id = `-y${record.id.slice(2)}`;
      expect((await cli(['sessions', 'revoke', id, '--yse'])).code).toBe(2); // a typo still is one
    });

    it('revoke-user keeps --except; revoke-everything stops every session of every user', async () => {
      const [keep, gone] = seeded.ids.bob!;
      const run = await cli([
        'sessions',
        'revoke-user',
        'bob',
        '--except',
        keep!,
        '--yes',
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ userId: 'bob', revoked: 1, kept: [keep] });
      expect((await seeded.backend.store.listByUser('bob')).map((r) => r.id)).toEqual([keep]);
      expect(await seeded.backend.store.isDenied(`sid:${gone}`)).toBe(true);

      expect((await cli(['revoke-everything'])).code).toBe(4);
      await expect(seeded.app.validate(seeded.credentials.alice![0])).resolves.toBeTruthy();
      const everything = await cli(['revoke-everything', '--yes', '--json']);
      expect(everything.code).toBe(0);
      const { revokedBefore } = everything.json<{ revokedBefore: string }>();
      expect(Date.parse(revokedBefore)).toBeGreaterThan(Date.now() - 60_000);
      for (const credential of [...seeded.credentials.alice!, seeded.credentials.bob![0]!]) {
        await expect(seeded.app.validate(credential)).rejects.toMatchObject({
          code: 'ERR_SESS_REVOKED',
        });
      }
      const stats = await cli(['stats']);
      expect(stats.stdout).toMatch(/revoke-everything at .*counted until they expire/);
    });

    it('cleanup reaps expired records where the backend does not', async () => {
      // Sessions made by an app whose clock is three days behind are expired by now, and past the
      // day their records are kept for the "timed out" answer (timeoutNotice).
      const past = createSessionManager({
        store: seeded.backend.store,
        secret: randomSecret(),
        clock: { now: () => Date.now() - 72 * HOUR },
      });
      await past.create('carol');
      await past.create('carol');
      past.close();

      if (seeded.backend.nativeExpiry) {
        const run = await cli(['cleanup', '--json']);
        expect(run.code).toBe(0);
        expect(run.json()).toEqual({ removed: 0, nativeExpiry: true });
        return;
      }
      expect((await cli(['cleanup'])).code).toBe(4);
      const run = await cli(['cleanup', '--yes', '--json']);
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ removed: 2, nativeExpiry: false });
      expect((await cli(['stats', '--json'])).json()).toMatchObject({ sessions: 5, users: 2 });
    });
  });
}

describe.skipIf(backends.sqlite === null)('confirmation on a terminal', () => {
  it('asks, and acts only on yes; revoke-everything wants the word typed out', async () => {
    const backend = await backends.sqlite!(dir);
    const seeded = await seed(backend, { dave: 2 });
    try {
      const [first] = seeded.ids.dave!;
      const declined = await sessOnTerminal(
        ['sessions', 'revoke', first!, ...backend.flags],
        'n\n',
      );
      expect(declined.code).toBe(4);
      expect(declined.stdout).toMatch(/Revoke session .* of user dave .*\[y\/N\]/);
      expect(await backend.store.get(first!)).not.toBeNull();

      const accepted = await sessOnTerminal(
        ['sessions', 'revoke', first!, ...backend.flags],
        'y\n',
      );
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toMatch(/Revoked session/);
      expect(await backend.store.get(first!)).toBeNull();

      const lazy = await sessOnTerminal(['revoke-everything', ...backend.flags], 'y\n');
      expect(lazy.code).toBe(4);
      await expect(seeded.app.validate(seeded.credentials.dave![1])).resolves.toBeTruthy();
      const typed = await sessOnTerminal(['revoke-everything', ...backend.flags], 'everything\n');
      expect(typed.code).toBe(0);
      await expect(seeded.app.validate(seeded.credentials.dave![1])).rejects.toMatchObject({
        code: 'ERR_SESS_REVOKED',
      });
    } finally {
      seeded.app.close();
      await backend.cleanup();
    }
  });
});

describe('choosing the store, and failing cleanly', () => {
  it('reads SESS_STORE and SESS_SQLITE_PATH like the demo, and refuses to guess (exit 2)', async () => {
    const backend = await backends.sqlite!(dir);
    const seeded = await seed(backend, { erin: 1 });
    const path = backend.flags[1]!.slice('file:'.length);
    try {
      const run = await sess(['stats', '--json'], {
        env: { SESS_STORE: 'sqlite', SESS_SQLITE_PATH: path },
      });
      expect(run.code).toBe(0);
      expect(run.json()).toMatchObject({ sessions: 1, users: 1 });
    } finally {
      seeded.app.close();
      await backend.cleanup();
    }
    const cases: [NodeJS.ProcessEnv, string[], RegExp][] = [
      [{}, [], /no store: pass --store/],
      [{ SESS_STORE: 'sqlite' }, [], /SESS_STORE=sqlite needs SESS_SQLITE_PATH/],
      [{ SESS_STORE: 'redis' }, [], /needs REDIS_URL/],
      [{ SESS_STORE: 'memory' }, [], /inside the app process/],
      [{}, ['--store', 'mysql://localhost/x'], /--store must be/],
    ];
    for (const [env, flags, message] of cases) {
      const run = await sess(['stats', ...flags], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('reports an unreachable store with exit 3: codes and hints, no stack trace, no password', async () => {
    const password = 'hunter2-not-for-logs';
    const stores = [
      `redis://:${password}@127.0.0.1:1`,
      `postgres://postgres:${password}@127.0.0.1:1/test`,
      `file:${join(dir, 'nope.db')}`,
    ];
    for (const store of stores) {
      const run = await sess([
        'sessions',
        'revoke',
        'some-id',
        '--yes',
        '--store',
        store,
        '--json',
      ]);
      expect(run.code, store).toBe(3);
      const { error } = run.json<{ error: { code: string; message: string; details: string[] } }>();
      expect(error.code).toBe('ERR_SESS_CLI_STORE');
      expect([error.message, ...error.details].join(' ')).toMatch(/ECONNREFUSED|SQLITE_CANTOPEN/);
      expectClean(run, [password]);
    }
    expect(existsSync(join(dir, 'nope.db')), 'no database file is created').toBe(false);
    const human = await sess(['stats', '--store', stores[0]!]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/cannot use the store redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expectClean(human, [password]);
  });

  it('refuses a SQLite file without the tables (exit 2)', async () => {
    const path = join(dir, 'empty.db');
    new Database(path).close();
    const run = await sess(['stats', '--store', `file:${path}`, '--table', 'other_sessions']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing table\(s\) other_sessions/);
  });
});
