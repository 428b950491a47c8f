// Your own test helper, not part of the kit: a client on a fresh, empty schema per case.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Sql } from './my-store.ts';

const DDL = `
  CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at BIGINT NOT NULL,
    version INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE INDEX sessions_user_id ON sessions (user_id);
  CREATE INDEX sessions_expires_at ON sessions (expires_at);
  CREATE TABLE deny (key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
  CREATE TABLE watermarks (scope TEXT PRIMARY KEY, at BIGINT NOT NULL);`;

export async function freshDatabase(): Promise<Sql & { end(): Promise<void> }> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `kit_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  // Unqualified table names resolve in the new schema on every connection of this pool.
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}` });
  await pool.query(DDL);
  return {
    async query<R>(text: string, values: unknown[]) {
      const { rows, rowCount } = await pool.query(text, values);
      return { rows: rows as R[], rowCount };
    },
    async end() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
