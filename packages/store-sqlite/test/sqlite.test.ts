import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GLOBAL_SCOPE } from '@sess/core';
import { makeRecord, manualClock } from '@sess/store-test-kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DELETE_BATCH_SIZE, migrate, sqliteStore } from '../src/index.ts';

const tableNames = (db: Database.Database): string[] =>
  db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .pluck()
    .all() as string[];

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sess-sqlite-'));
  dirs.push(dir);
  return join(dir, 'sessions.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('table names', () => {
  it.each([
    '',
    '1sessions',
    'sess-sessions',
    'sess sessions',
    'sessions"; DROP TABLE users; --',
    'sessiöns',
    `a${'b'.repeat(63)}`,
  ])('refuses %j with a ConfigError, before touching the database', (table) => {
    const db = new Database(':memory:');
    expect(() => migrate(db, { table })).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG' }),
    );
    expect(() => sqliteStore({ database: db, table, migrate: true })).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG' }),
    );
    expect(tableNames(db)).toEqual([]);
  });

  it.each(['select', 'Order_By', '_t', `a${'b'.repeat(62)}`])(
    'accepts and quotes %j',
    async (table) => {
      const db = new Database(':memory:');
      const store = sqliteStore({ database: db, table, migrate: true });
      expect(tableNames(db)).toEqual([table, `${table}_deny`, `${table}_watermarks`].sort());
      const record = makeRecord(Date.now());
      await store.create(record);
      expect(await store.get(record.id)).toEqual(record);
    },
  );

  it('keeps stores with different tables on one database apart', async () => {
    const db = new Database(':memory:');
    const a = sqliteStore({ database: db, table: 'a', migrate: true });
    const b = sqliteStore({ database: db, table: 'b', migrate: true });
    const record = makeRecord(Date.now());
    await a.create(record);
    await a.setNotBefore(GLOBAL_SCOPE, 5);
    expect(await b.get(record.id)).toBeNull();
    expect(await b.getNotBefore(record.userId)).toBe(0);
  });
});

describe('migrate', () => {
  it('is idempotent and keeps data', async () => {
    const db = new Database(':memory:');
    migrate(db);
    const store = sqliteStore({ database: db });
    const record = makeRecord(Date.now());
    await store.create(record);
    migrate(db);
    migrate(db);
    expect(tableNames(db)).toEqual([
      'sess_sessions',
      'sess_sessions_deny',
      'sess_sessions_watermarks',
    ]);
    expect(await store.get(record.id)).toEqual(record);
  });

  it('upgrades tables from before retention: adds retain_until, old rows keep working', async () => {
    const db = new Database(':memory:');
    // The sessions table as versions before retention created it.
    db.exec(`CREATE TABLE sess_sessions (id TEXT PRIMARY KEY NOT NULL, user_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL) STRICT;
      CREATE TABLE sess_sessions_deny (key TEXT PRIMARY KEY NOT NULL, expires_at INTEGER NOT NULL) STRICT;
      CREATE TABLE sess_sessions_watermarks (scope TEXT PRIMARY KEY NOT NULL, at INTEGER NOT NULL) STRICT;`);
    const clock = manualClock();
    const old = makeRecord(clock.now());
    db.prepare('INSERT INTO sess_sessions VALUES (?, ?, ?, ?, ?)').run(
      old.id,
      old.userId,
      old.expiresAt,
      old.version,
      JSON.stringify(old),
    );
    expect(() => sqliteStore({ database: db })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        message: expect.stringMatching(/retain_until.*migrate/),
      }),
    );
    migrate(db);
    migrate(db);
    const store = sqliteStore({ database: db, clock });
    expect(await store.get(old.id)).toEqual(old);
    const kept = makeRecord(clock.now(), { retainUntil: clock.now() + 7_200_000 });
    await store.create(kept);
    clock.advance(3_600_000);
    expect(await store.getExpired(old.id)).toBeNull(); // no retainUntil: nothing retained
    expect(await store.getExpired(kept.id)).toEqual(kept);
    expect(await store.deleteExpired(clock.now())).toBe(1);
  });

  it('upgrades revocation tables from before written_at: old rows count as written at the migration', async () => {
    const db = new Database(':memory:');
    migrate(db);
    // The revocation tables as versions before recentRevocations created them, with a row each.
    db.exec(`DROP TABLE sess_sessions_deny; DROP TABLE sess_sessions_watermarks;
      CREATE TABLE sess_sessions_deny (key TEXT PRIMARY KEY NOT NULL, expires_at INTEGER NOT NULL) STRICT;
      CREATE TABLE sess_sessions_watermarks (scope TEXT PRIMARY KEY NOT NULL, at INTEGER NOT NULL) STRICT;`);
    const before = Date.now();
    db.prepare(`INSERT INTO sess_sessions_deny VALUES ('jti:old', ?)`).run(before + 600_000);
    db.prepare(`INSERT INTO sess_sessions_watermarks VALUES ('u1', 5), ('*', 7)`).run();
    expect(() => sqliteStore({ database: db })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        message: expect.stringMatching(
          /sess_sessions_deny has no written_at.*sess_sessions_watermarks has no written_at/s,
        ),
      }),
    );
    migrate(db);
    migrate(db);
    const migrated = Date.now();
    const clock = manualClock(migrated + 1_000);
    const store = sqliteStore({ database: db, clock });
    const global = { type: 'not-before', scope: GLOBAL_SCOPE, at: 7 }; // in every answer
    const old = [
      { type: 'deny', key: 'jti:old', expiresAt: before + 600_000 },
      { type: 'not-before', scope: 'u1', at: 5 },
      global,
    ];
    expect(await store.recentRevocations(before, clock.now())).toEqual(old);
    expect(await store.recentRevocations(migrated + 1, clock.now())).toEqual([global]);

    // A process still on the older version writes rows without written_at: always returned, until
    // this version writes them again.
    db.prepare(`INSERT INTO sess_sessions_deny (key, expires_at) VALUES ('jti:older-code', ?)`).run(
      clock.now() + 600_000,
    );
    const older = { type: 'deny', key: 'jti:older-code', expiresAt: clock.now() + 600_000 };
    expect(await store.recentRevocations(clock.now() + 1, clock.now())).toEqual([older, global]);
    await store.deny('jti:older-code', clock.now() + 60_000);
    expect(await store.recentRevocations(clock.now() + 1, clock.now())).toEqual([global]);
    expect(await store.recentRevocations(clock.now(), clock.now())).toEqual([older, global]);
  });

  it('serves recentRevocations from indexes, never a table scan', () => {
    const db = new Database(':memory:');
    migrate(db);
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ since: 0, now: 0 }) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
    expect(
      plan(`SELECT key FROM sess_sessions_deny
        WHERE (written_at >= @since OR written_at IS NULL) AND expires_at > @now`),
    ).toMatch(/^SEARCH sess_sessions_deny USING INDEX sess_sessions_deny_(written|expires)_at /);
    expect(
      plan(`SELECT scope FROM sess_sessions_watermarks
        WHERE written_at >= @since OR written_at IS NULL OR scope = '*'`),
    ).toMatch(/sess_sessions_watermarks_written_at/);
  });

  it('is required: without it (or migrate: true) the factory says what to do', () => {
    const db = new Database(':memory:');
    expect(() => sqliteStore({ database: db })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        message: expect.stringMatching(/migrate/),
      }),
    );
  });
});

describe('ownership and journal mode', () => {
  it('opens a file path in WAL mode and closes it on close()', async () => {
    const file = tempFile();
    const store = sqliteStore({ database: file, migrate: true });
    const other = new Database(file);
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
    await store.close();
    await store.close(); // idempotent
    await expect(store.get('x')).rejects.toThrow();
  });

  it('leaves a user-owned Database open and its journal mode alone', async () => {
    const db = new Database(tempFile());
    migrate(db);
    const store = sqliteStore({ database: db });
    await store.close();
    expect(db.open).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
  });

  it('refuses something that is not a database', () => {
    expect(() => sqliteStore({ database: {} as Database.Database })).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG' }),
    );
  });
});

describe('sharing one file between connections (processes)', () => {
  it('keeps compare-and-set and revocations consistent across connections', async () => {
    const file = tempFile();
    const a = sqliteStore({ database: file, migrate: true });
    const b = sqliteStore({ database: file });
    const record = makeRecord(Date.now());
    await a.create(record);
    expect(await b.update({ ...record, version: 2, data: { by: 'b' } }, 1)).toBe(true);
    expect(await a.update({ ...record, version: 2, data: { by: 'a' } }, 1)).toBe(false);
    expect((await a.get(record.id))?.data).toEqual({ by: 'b' });
    await a.deny('jti', Date.now() + 60_000);
    expect(await b.isDenied('jti')).toBe(true);
    await a.close();
    await b.close();
  });
});

describe('deleteExpired', () => {
  it(`deletes in batches of ${DELETE_BATCH_SIZE} rows, yielding between batches`, async () => {
    const statements: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
    const clock = manualClock();
    const store = sqliteStore({ database: db, clock, migrate: true });
    const t = clock.now();
    const count = (table: string) => db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get();
    db.transaction(() => {
      for (let i = 0; i < 1_200; i++) void store.create(makeRecord(t, { expiresAt: t + 1_000 }));
      for (let i = 0; i < 1_100; i++) void store.deny(`jti-${i}`, t + 1_000);
    })();
    const kept = makeRecord(t, { expiresAt: t + 60_000 });
    await store.create(kept);
    await store.deny('kept', t + 60_000);
    statements.length = 0;

    const reaping = store.deleteExpired(t + 2_000);
    expect(count('sess_sessions')).toBe(1_201 - DELETE_BATCH_SIZE); // one batch, then a yield
    expect(await reaping).toBe(2_300);

    const batches = (table: string) =>
      statements.filter((sql) => sql.startsWith(`DELETE FROM "${table}" WHERE rowid IN`)).length;
    expect(batches('sess_sessions')).toBe(3); // 500 + 500 + 200
    expect(batches('sess_sessions_deny')).toBe(3); // 500 + 500 + 100
    expect(count('sess_sessions')).toBe(1);
    expect(count('sess_sessions_deny')).toBe(1);
    expect(await store.get(kept.id)).toEqual(kept);
    expect(await store.isDenied('kept')).toBe(true);
  });
});

describe('integers', () => {
  it('returns numbers even when the user enabled safe integers on the database', async () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const store = sqliteStore({ database: db, migrate: true });
    const record = makeRecord(Date.now());
    await store.create(record);
    await store.setNotBefore(record.userId, 1_234);
    expect(await store.getNotBefore(record.userId)).toBe(1_234);
    await store.deny('jti:x', record.expiresAt);
    expect(await store.recentRevocations(0, Date.now())).toEqual([
      { type: 'deny', key: 'jti:x', expiresAt: record.expiresAt },
      { type: 'not-before', scope: record.userId, at: 1_234 },
    ]);
    expect(await store.delete(record.id)).toBe(true);
    expect(await store.deleteByUser(record.userId)).toBe(0);
  });
});

describe('timeout (the busy timeout of a file the store opens)', () => {
  it('fails a write fast while another process holds the lock, then writes again', async () => {
    const file = tempFile();
    const store = sqliteStore({ database: file, migrate: true, timeout: '50ms' });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const record = makeRecord(Date.now());
    // With the 2 s default (or better-sqlite3's 5 s) this would outlast the test's timeout.
    await expect(store.create(record)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('COMMIT');
    other.close();
    await store.create(record);
    expect(await store.get(record.id)).toEqual(record);
    await store.close();
  }, 1_500);

  it.each([-1, 0, '1 fortnight', '61s', 60_001])('refuses %j', (timeout) => {
    expect(() =>
      sqliteStore({ database: ':memory:', migrate: true, timeout: timeout as never }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [expect.stringMatching(/^sqliteStore\.timeout: /)],
      }),
    );
  });

  it('accepts up to 60 s, and refuses it with a Database of your own (set busy_timeout there)', async () => {
    await sqliteStore({ database: ':memory:', migrate: true, timeout: '60s' }).close();
    const db = new Database(':memory:');
    migrate(db);
    expect(() => sqliteStore({ database: db, timeout: '1s' })).toThrow(
      expect.objectContaining({
        issues: [
          expect.stringMatching(/^sqliteStore\.timeout: only applies to a file the store opens/),
        ],
      }),
    );
    db.close();
  });
});

describe('url', () => {
  const roundTrip = async (url: string) => {
    const store = sqliteStore({ url, migrate: true });
    const record = makeRecord(Date.now());
    await store.create(record);
    expect(await store.get(record.id)).toEqual(record);
    await store.close();
    return record;
  };
  const stored = (file: string, id: string): unknown => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT id FROM sess_sessions WHERE id = ?').pluck().get(id);
    } finally {
      db.close();
    }
  };

  it('opens file:///abs/path.db and file:/abs/path.db like a path, in WAL mode', async () => {
    const file = tempFile();
    const record = await roundTrip(pathToFileURL(file).href);
    expect(stored(file, record.id)).toBe(record.id);
    const again = await roundTrip(`file:${file}`);
    expect(stored(file, again.id)).toBe(again.id);
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('opens file:relative/path.db relative to the working directory, escapes decoded', async () => {
    const file = tempFile();
    const relativePath = relative(process.cwd(), file);
    expect(relativePath.startsWith('/')).toBe(false);
    const record = await roundTrip(`file:${relativePath.replace('sessions.db', 'sess%69ons.db')}`);
    expect(stored(file, record.id)).toBe(record.id);
  });

  it('opens file::memory: as an in-memory database', async () => {
    const before = new Set(readdirSync(process.cwd()));
    await roundTrip('file::memory:');
    expect(readdirSync(process.cwd()).filter((name) => !before.has(name))).toEqual([]);
  });

  it.each([
    'sqlite:data.db',
    'file:',
    'file://server/share/sessions.db',
    'file:data.db?mode=ro',
    'data.db',
  ])('refuses %j without quoting it', (url) => {
    expect(() => sqliteStore({ url, migrate: true })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'sqliteStore.url: expected file:path.db, file:/abs/path.db, file:///abs/path.db or file::memory:',
        ],
      }),
    );
  });

  it('needs exactly one of database and url', () => {
    const issue = 'sqliteStore: give exactly one of `database` and `url`';
    expect(() => sqliteStore({ migrate: true })).toThrow(
      expect.objectContaining({ issues: [issue] }),
    );
    expect(() => sqliteStore({ database: ':memory:', url: 'file::memory:' })).toThrow(
      expect.objectContaining({ issues: [issue] }),
    );
  });
});
