import type { SessionStore } from '@sess/core';
import { duplicateId, type Sql } from './my-store.ts';

/** A client that runs several statements in one transaction (pg: BEGIN ... COMMIT on one connection). */
export interface TxSql extends Sql {
  transaction<T>(body: (tx: Sql) => Promise<T>): Promise<T>;
}

/** `createCapped` for the sketch above; add `createCapped: createCapped(sql)` to the store object. */
export function createCapped(sql: TxSql): NonNullable<SessionStore['createCapped']> {
  return (r, { max, evictOldest, notBefore, now }) =>
    sql.transaction(async (tx) => {
      // Its own statement, first: the count below then sees every row committed before the lock.
      // (FOR UPDATE would not do: it cannot lock rows that do not exist yet.)
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [r.userId]);
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM sessions
         WHERE user_id = $1 AND expires_at > $2 AND (record::jsonb->>'createdAt')::numeric > $3
         ORDER BY (record::jsonb->>'createdAt')::numeric, id COLLATE "C"`,
        [r.userId, now, notBefore],
      );
      let evicted: string[] = [];
      if (rows.length >= max) {
        if (!evictOldest) return { created: false, evicted };
        evicted = rows.slice(0, rows.length - max + 1).map((row) => row.id); // oldest first
        await tx.query('DELETE FROM sessions WHERE id = ANY($1)', [evicted]);
      }
      // A duplicate id rejects here, and the transaction rolls the evictions back.
      await tx
        .query(
          'INSERT INTO sessions (id, user_id, expires_at, version, record) VALUES ($1, $2, $3, $4, $5)',
          [r.id, r.userId, r.expiresAt, r.version, JSON.stringify(r)],
        )
        .catch(duplicateId('createCapped'));
      return { created: true, evicted };
    });
}
