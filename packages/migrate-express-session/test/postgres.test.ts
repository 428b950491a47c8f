import { randomBytes } from 'node:crypto';
import { available, DATABASE_URL, pingPostgres } from '@sess/behaviour-suite';
import pgSession from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { connectPgSimpleStore } from '../src/index.ts';
import { describeMigration } from './harness.ts';

const up = await available('Postgres', pingPostgres);

describeMigration('express-session + connect-pg-simple on the real Postgres', async () => {
  if (!up) return null;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
  const table = `legacy_session_${randomBytes(6).toString('hex')}`;
  // connect-pg-simple's table.sql, under a table name of this run's own.
  await pool.query(
    `CREATE TABLE "${table}" (sid varchar NOT NULL COLLATE "default" PRIMARY KEY,
       sess json NOT NULL, expire timestamp(6) NOT NULL)`,
  );
  const PGStore = pgSession(session);
  const store = new PGStore({ pool, tableName: table, pruneSessionInterval: false });
  return {
    store,
    legacy: connectPgSimpleStore(store as never),
    exists: async (sid) =>
      (await pool.query(`SELECT 1 FROM "${table}" WHERE sid = $1`, [sid])).rowCount === 1,
    close: async () => {
      await pool.query(`DROP TABLE "${table}"`);
      await pool.end();
    },
  };
});
