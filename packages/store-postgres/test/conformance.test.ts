import { manualClock } from '@sess/store-test-kit';
import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import type pg from 'pg';
import { type PostgresStore, postgresStore } from '../src/index.ts';
import {
  adminPool,
  DATABASE_URL,
  describePg,
  freshSchema,
  recordingLogger,
  testPool,
} from './support.ts';

// Reads the tables with the admin connection, bypassing the store's own queries.
function probe(schema: string, sessions: string) {
  const table = (suffix: string) => `"${schema}"."${sessions}${suffix}"`;
  return {
    dump: async () => {
      const { rows } = await adminPool.query(
        `SELECT (SELECT json_agg(t) FROM ${table('')} t)::text AS sessions,
                (SELECT json_agg(t) FROM ${table('_deny')} t)::text AS deny,
                (SELECT json_agg(t) FROM ${table('_watermarks')} t)::text AS watermarks`,
      );
      return JSON.stringify(rows[0]);
    },
    backendExpiry: async (id: string) => {
      const { rows } = await adminPool.query(
        `SELECT GREATEST(expires_at, retain_until) AS expires_at FROM ${table('')} WHERE id = $1`,
        [id],
      );
      return rows.length === 0 ? null : Number(rows[0].expires_at);
    },
  };
}

type Make = (
  schema: string,
  clock: ReturnType<typeof manualClock>,
) => { store: PostgresStore; pool?: pg.Pool };

// A fresh schema per case, dropped afterwards; `fail` ends the connections the store queries.
async function underTest(table: string, make: Make) {
  const clock = manualClock();
  const { schema, drop } = await freshSchema({ table });
  const { store, pool } = make(schema, clock);
  return {
    store,
    clock,
    probe: probe(schema, table),
    fail: async () => {
      if (pool)
        await pool.end(); // a user-owned pool the app ended
      else await store.close(); // the owned pool is gone: every query rejects
    },
    cleanup: async () => {
      await store.close();
      if (pool && !pool.ending) await pool.end();
      await drop();
    },
  };
}

describePg('postgres conformance', () => {
  describeStoreConformance('postgresStore from a url (owned pool)', () =>
    underTest('sess_sessions', (schema, clock) => ({
      store: postgresStore({ url: DATABASE_URL, schema, clock, logger: recordingLogger() }),
    })),
  );

  describeStoreConformance('postgresStore on a user-owned Pool, custom table name', () =>
    underTest('auth_sessions', (schema, clock) => {
      const pool = testPool({ max: 4 });
      const store = postgresStore({ pool, schema, table: 'auth_sessions', clock });
      return { store, pool };
    }),
  );
});
