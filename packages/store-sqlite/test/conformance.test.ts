import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualClock } from '@sess/store-test-kit';
import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import Database from 'better-sqlite3';
import { migrate, sqliteStore } from '../src/index.ts';

const dump = (db: Database.Database): string =>
  JSON.stringify(
    ['sess_sessions', 'sess_sessions_deny', 'sess_sessions_watermarks'].map((table) =>
      db.prepare(`SELECT * FROM "${table}"`).all(),
    ),
  );

describeStoreConformance('sqliteStore on a user-owned :memory: database', async () => {
  const clock = manualClock();
  const db = new Database(':memory:');
  migrate(db);
  return {
    store: sqliteStore({ database: db, clock }),
    clock,
    probe: { dump: async () => dump(db) },
    fail: async () => void db.close(),
    cleanup: async () => void (db.open && db.close()),
  };
});

describeStoreConformance(
  'sqliteStore on a file it owns (WAL), probed by a second connection',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-sqlite-'));
    const store = sqliteStore({ database: join(dir, 'sessions.db'), migrate: true });
    const reader = new Database(join(dir, 'sessions.db'), { readonly: true });
    return {
      store,
      probe: { dump: async () => dump(reader) },
      fail: () => store.close(),
      cleanup: async () => {
        await store.close();
        reader.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
);
