import { migrate, sqliteStore } from '@sess/store-sqlite';
import Database from 'better-sqlite3';

const db = new Database('data/app.db', { timeout: 5_000 });
db.pragma('journal_mode = WAL');
migrate(db);
export const store = sqliteStore({ database: db, table: 'sessions' });
