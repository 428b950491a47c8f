import {
  type Clock,
  GLOBAL_SCOPE,
  type SessionRecord,
  type SessionStore,
  StoreError,
  systemClock,
} from '@sess/core';

/** The little the store needs from a SQL client. */
export interface Sql {
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Rethrows a primary-key violation (Postgres `23505`) as the contract's duplicate id. */
export const duplicateId = (operation: 'create' | 'createCapped') => (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  throw code === '23505'
    ? new StoreError(operation, { reason: 'duplicate-id', cause: error })
    : error;
};

export function myStore(sql: Sql, clock: Clock = systemClock): SessionStore {
  const parse = (rows: { record: string }[]) =>
    rows.map((r) => JSON.parse(r.record) as SessionRecord);
  const changed = async (text: string, values: unknown[]) =>
    (await sql.query(text, values)).rowCount ?? 0;
  return {
    name: 'my-sql',
    async create(r) {
      await sql
        .query(
          'INSERT INTO sessions (id, user_id, expires_at, version, record) VALUES ($1, $2, $3, $4, $5)',
          [r.id, r.userId, r.expiresAt, r.version, JSON.stringify(r)],
        )
        .catch(duplicateId('create'));
    },
    async get(id) {
      const q = 'SELECT record FROM sessions WHERE id = $1 AND expires_at > $2';
      return parse((await sql.query<{ record: string }>(q, [id, clock.now()])).rows)[0] ?? null;
    },
    async update(r, expectedVersion) {
      // One statement: the version check and the write cannot be separated. No upsert.
      const q = `UPDATE sessions SET user_id = $2, expires_at = $3, version = $4, record = $5
                 WHERE id = $1 AND version = $6 AND expires_at > $7`;
      const values = [
        r.id,
        r.userId,
        r.expiresAt,
        r.version,
        JSON.stringify(r),
        expectedVersion,
        clock.now(),
      ];
      return (await changed(q, values)) === 1;
    },
    async delete(id) {
      return (
        (await changed('DELETE FROM sessions WHERE id = $1 AND expires_at > $2', [
          id,
          clock.now(),
        ])) === 1
      );
    },
    async listByUser(userId) {
      const q = 'SELECT record FROM sessions WHERE user_id = $1 AND expires_at > $2';
      return parse((await sql.query<{ record: string }>(q, [userId, clock.now()])).rows);
    },
    async deleteByUser(userId, options) {
      const q =
        'DELETE FROM sessions WHERE user_id = $1 AND NOT (id = ANY($2)) AND expires_at > $3';
      return changed(q, [userId, options?.except ?? [], clock.now()]);
    },
    async deny(key, expiresAt) {
      await sql.query(
        `INSERT INTO deny (key, expires_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET expires_at = GREATEST(deny.expires_at, EXCLUDED.expires_at)`,
        [key, expiresAt],
      );
    },
    async isDenied(key) {
      const q = 'SELECT 1 FROM deny WHERE key = $1 AND expires_at > $2';
      return (await sql.query(q, [key, clock.now()])).rows.length > 0;
    },
    async setNotBefore(scope, at) {
      await sql.query(
        `INSERT INTO watermarks (scope, at) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET at = GREATEST(watermarks.at, EXCLUDED.at)`,
        [scope, at],
      );
    },
    async getNotBefore(userId) {
      const q = 'SELECT COALESCE(MAX(at), 0) AS at FROM watermarks WHERE scope IN ($1, $2)';
      const { rows } = await sql.query<{ at: string | number }>(q, [userId, GLOBAL_SCOPE]);
      return Number(rows[0]?.at ?? 0); // BIGINT columns often come back as strings
    },
    async deleteExpired(now) {
      const records = await changed('DELETE FROM sessions WHERE expires_at <= $1', [now]);
      return records + (await changed('DELETE FROM deny WHERE expires_at <= $1', [now]));
    },
  };
}
