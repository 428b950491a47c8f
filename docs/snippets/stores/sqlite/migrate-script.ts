// scripts/migrate.ts
import { migrate } from '@sess/store-sqlite';
import Database from 'better-sqlite3';

const db = new Database(process.env.SESS_DB ?? 'data/sessions.db');
migrate(db);
db.close();
