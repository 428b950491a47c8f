import { migrate, postgresStore } from '@sess/store-postgres';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
  connectionTimeoutMillis: 2_000,
  statement_timeout: 2_000,
  query_timeout: 3_000,
  idle_in_transaction_session_timeout: 5_000,
  keepAlive: true,
});
await migrate(pool, { schema: 'auth' }); // the schema must exist: CREATE SCHEMA auth
export const store = postgresStore({ pool, schema: 'auth' });
