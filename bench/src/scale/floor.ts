// The scale suite's floor: one read of a session's record by its id, straight from the store's own
// table or key on a client of its own, with no sess code on the way. Its figure against the session
// count is what the storage engine itself does as the data grows, beside sess's validations.
import assert from 'node:assert/strict';
import { parseCredential } from '@sess/core';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { redisPrefix, type Services, sqliteFile, tableName } from '../services.ts';
import type { ScaleStore } from './suite.ts';

export interface FloorReader {
  /** The record of `credential`'s session, as the store keeps it, or null. */
  read(credential: string): Promise<string | null>;
  close(): Promise<void>;
}

const idOf = (credential: string): string => parseCredential(credential)!.id;

/** A reader of store `kind`'s records for the sessions the suite loaded under `name`. */
function floorReader(kind: ScaleStore, services: Services, name: string): FloorReader {
  switch (kind) {
    case 'redis': {
      // The single-node key layout of @sess/store-redis; a record is one string.
      const client = new Redis(services.redisUrl);
      const prefix = `${redisPrefix(services, name)}r:`;
      return {
        read: (credential) => client.get(`${prefix}${idOf(credential)}`),
        close: async () => void (await client.quit()),
      };
    }
    case 'postgres': {
      // A pool of the store's size, the store's query less its expiry condition.
      const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 10 });
      const select = `SELECT record::text AS record FROM ${tableName(services, name)} WHERE id = $1`;
      return {
        read: async (credential) => {
          const { rows } = await pool.query<{ record: string }>(select, [idOf(credential)]);
          return rows[0]?.record ?? null;
        },
        close: () => pool.end(),
      };
    }
    case 'sqlite': {
      // A second connection to the store's file (WAL mode: readers never wait for the writer).
      const db = new Database(sqliteFile(services, name), { readonly: true });
      const get = db.prepare('SELECT record FROM sessions WHERE id = ?').pluck();
      return {
        read: async (credential) => (get.get(idOf(credential)) as string | undefined) ?? null,
        close: async () => void db.close(),
      };
    }
  }
}

/** {@link floorReader}, first shown to find a record for each of `known` and none for an unknown id. */
export async function provenFloor(
  kind: ScaleStore,
  services: Services,
  name: string,
  known: readonly string[],
): Promise<FloorReader> {
  const reader = floorReader(kind, services, name);
  try {
    for (const credential of known) {
      assert.notEqual(await reader.read(credential), null, `${kind}: the floor misses a session`);
    }
    const first = known[0]!; // its id with one character changed: a well-formed id of no session
    assert.equal(await reader.read(`${first[0] === 'A' ? 'B' : 'A'}${first.slice(1)}`), null);
    return reader;
  } catch (error) {
    await reader.close();
    throw error;
  }
}
