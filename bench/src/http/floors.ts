import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { memoryStore } from '@sess/core/memory';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { benchManager } from '../fixtures.ts';
import { MIX, type MixName, pooled, userOf } from '../mixes.ts';
import { redisPrefix, type Services, tableName } from '../services.ts';
import { type CredentialSet, mintAccessTokens } from './setup.ts';

/** The stores that have a "one read, no auth" floor. */
export const FLOOR_STORES = ['redis', 'postgres', 'sqlite'] as const;
export type FloorStore = (typeof FLOOR_STORES)[number];

/**
 * The least any session check on a store costs: one read of the record the request's cookie names
 * and a `JSON.parse`, nothing checked. Returns the record's user, or null when there is none.
 */
export interface StoreFloor {
  read(cookie: string | undefined): Promise<string | null>;
  readonly credentials: CredentialSet;
  close(): Promise<void>;
}

const ID_LENGTH = 22; // sess's session ids: 16 bytes, base64url

/** The session id in a sess cookie (`name=<id>.<secret>`), by position: the floor checks nothing. */
function idOf(cookie: string | undefined): string | null {
  if (cookie === undefined) return null;
  const at = cookie.indexOf('=') + 1;
  return at === 0 ? null : cookie.slice(at, at + ID_LENGTH);
}

const userIn = (json: string | null | undefined): string | null =>
  json == null ? null : (JSON.parse(json) as { userId: string }).userId;

/** Records exactly as sess stores them (one per user of `mix`) and the cookies that name them. */
async function records(mix: MixName) {
  const store = memoryStore();
  const sess = benchManager(store, 'database');
  const made: { id: string; json: string; cookie: string }[] = new Array(MIX[mix].users);
  await pooled(made.length, 64, async (i) => {
    const { credential, session } = await sess.create(userOf(mix, i));
    const json = JSON.stringify(await store.get(session.id));
    made[i] = { id: session.id, json, cookie: `${sess.cookies.names.session}=${credential}` };
  });
  sess.close();
  const credentials: CredentialSet = {
    header: 'cookie',
    values: made.map((r) => r.cookie),
    forged: made[0]!.cookie, // never used: a floor authenticates nobody
  };
  return { made, credentials };
}

const BATCH = 1000;

/** The floor of `store`, its records written beforehand under names of its own. */
export async function storeFloor(
  store: FloorStore,
  services: Services,
  name: string,
  mix: MixName,
): Promise<StoreFloor> {
  const { made, credentials } = await records(mix);
  const batches = Array.from({ length: Math.ceil(made.length / BATCH) }, (_, i) =>
    made.slice(i * BATCH, (i + 1) * BATCH),
  );
  switch (store) {
    case 'redis': {
      const client = new Redis(services.redisUrl);
      const prefix = `${redisPrefix(services, name)}record:`;
      for (const batch of batches) {
        await client.mset(...batch.flatMap((r) => [`${prefix}${r.id}`, r.json]));
      }
      return {
        read: async (cookie) => {
          const id = idOf(cookie);
          return id === null ? null : userIn(await client.get(`${prefix}${id}`));
        },
        credentials,
        close: async () => {
          await client.quit();
        },
      };
    }
    case 'postgres': {
      // As sess's Postgres store keeps a record (jsonb, read back as text), through a pool of the
      // same size (10), one parameterised SELECT per request.
      const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 10 });
      const table = tableName(services, name);
      await pool.query(
        `CREATE TABLE ${table} (id text COLLATE "C" PRIMARY KEY, record jsonb NOT NULL)`,
      );
      for (const batch of batches) {
        await pool.query(
          `INSERT INTO ${table} (id, record) SELECT * FROM unnest($1::text[], $2::jsonb[])`,
          [batch.map((r) => r.id), batch.map((r) => r.json)],
        );
      }
      await pool.query(`ANALYZE ${table}`);
      const select = `SELECT record::text AS record FROM ${table} WHERE id = $1`;
      return {
        read: async (cookie) => {
          const id = idOf(cookie);
          if (id === null) return null;
          const { rows } = await pool.query<{ record: string }>(select, [id]);
          return userIn(rows[0]?.record);
        },
        credentials,
        close: () => pool.end(),
      };
    }
    case 'sqlite': {
      // As sess's SQLite store: a file in WAL mode, a prepared statement, a synchronous read.
      mkdirSync(services.dataDir, { recursive: true });
      const db = new Database(join(services.dataDir, `${name}-floor.db`));
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE records (id TEXT PRIMARY KEY, record TEXT NOT NULL)');
      const insert = db.prepare('INSERT INTO records (id, record) VALUES (?, ?)');
      db.transaction(() => {
        for (const r of made) insert.run(r.id, r.json);
      })();
      const get = db.prepare('SELECT record FROM records WHERE id = ?').pluck();
      return {
        read: async (cookie) => {
          const id = idOf(cookie);
          return id === null ? null : userIn(get.get(id) as string | undefined);
        },
        credentials,
        close: async () => {
          db.close();
        },
      };
    }
  }
}

/**
 * The least any check keyed by a bearer token costs: one lookup of the `Authorization` value in a
 * Map of the tokens issued (one per user of `mix`), nothing verified, nothing parsed. A cache of
 * verified tokens, sess's or any other, does at least this on every hit.
 */
export interface TokenFloor {
  /** The token's user, or null for a value that is not one of the tokens issued. */
  read(authorization: string | undefined): string | null;
  readonly credentials: CredentialSet;
}

/** The token-lookup floor of `mix`: sess-issued tokens, as the jwt contenders are driven with. */
export async function tokenFloor(mix: MixName): Promise<TokenFloor> {
  const credentials = await mintAccessTokens(mix);
  const users = new Map(credentials.values.map((value, i) => [value, userOf(mix, i)]));
  return {
    read: (authorization) =>
      authorization === undefined ? null : (users.get(authorization) ?? null),
    credentials,
  };
}
