import { CAP_LOCK_CLASS, type Names } from './schema.ts';

/** Rows deleted per statement by `deleteExpired`: each batch is its own short transaction. */
export const DELETE_BATCH_SIZE = 500;

/** Every statement of the store, for one set of table names. */
export function statements(n: Names) {
  return {
    // An expired row that was not reaped yet counts as missing: a create may take its id.
    insert: `INSERT INTO ${n.sessions} AS s (id, user_id, expires_at, version, record, retain_until)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at,
        version = excluded.version, record = excluded.record, retain_until = excluded.retain_until
      WHERE s.expires_at <= $7`,
    get: `SELECT record::text AS record FROM ${n.sessions} WHERE id = $1 AND expires_at > $2`,
    getExpired: `SELECT record::text AS record FROM ${n.sessions}
      WHERE id = $1 AND expires_at <= $2 AND coalesce(retain_until, expires_at) > $2`,
    update: `UPDATE ${n.sessions} SET user_id = $2, expires_at = $3, version = $4, record = $5,
        retain_until = $6
      WHERE id = $1 AND version = $7 AND expires_at > $8`,
    // Two int4 keys: a class of our own, and the user id's hash (a collision only makes two users
    // take turns).
    capLock: `SELECT pg_advisory_xact_lock(${CAP_LOCK_CLASS}, hashtext($1))`,
    liveId: `SELECT 1 FROM ${n.sessions} WHERE id = $1 AND expires_at > $2`,
    // The user's records the cap counts, oldest first; ids are COLLATE "C", so byte order.
    counted: `SELECT id FROM ${n.sessions}
      WHERE user_id = $1 AND expires_at > $2 AND (record->>'createdAt')::numeric > $3
      ORDER BY (record->>'createdAt')::numeric, id`,
    evict: `DELETE FROM ${n.sessions} WHERE id = ANY ($1::text[])`,
    delete: `DELETE FROM ${n.sessions} WHERE id = $1 RETURNING expires_at > $2 AS live`,
    list: `SELECT record::text AS record FROM ${n.sessions} WHERE user_id = $1 AND expires_at > $2`,
    // Expired rows go too, but only live ones count: an expired session is already missing.
    deleteByUser: `WITH gone AS (
        DELETE FROM ${n.sessions} WHERE user_id = $1 AND id <> ALL ($2::text[]) RETURNING expires_at
      ) SELECT count(*) FILTER (WHERE expires_at > $3) AS live FROM gone`,
    // Upsert and NOTIFY in one statement: the notification is sent exactly when the write commits.
    // written_at only rises too: racing writers leave the latest clock reading (recentRevocations).
    deny: `WITH kept AS (
        INSERT INTO ${n.deny} AS d (key, expires_at, written_at) VALUES ($1, $2, $4)
        ON CONFLICT (key) DO UPDATE SET expires_at = GREATEST(d.expires_at, excluded.expires_at),
          written_at = GREATEST(d.written_at, excluded.written_at)
        RETURNING key, expires_at
      ) SELECT pg_notify($3, json_build_object('type', 'deny', 'key', key, 'expiresAt', expires_at)::text)
      FROM kept`,
    isDenied: `SELECT 1 FROM ${n.deny} WHERE key = $1 AND expires_at > $2`,
    setNotBefore: `WITH kept AS (
        INSERT INTO ${n.watermarks} AS w (scope, at, written_at) VALUES ($1, $2, $4)
        ON CONFLICT (scope) DO UPDATE SET at = GREATEST(w.at, excluded.at),
          written_at = GREATEST(w.written_at, excluded.written_at)
        RETURNING scope, at
      ) SELECT pg_notify($3, json_build_object('type', 'not-before', 'scope', scope, 'at', at)::text)
      FROM kept`,
    getNotBefore: `SELECT coalesce(max(at), 0) AS at FROM ${n.watermarks} WHERE scope IN ($1, $2)`,
    // One statement, one snapshot; each half served by its written_at index. The global watermark
    // comes every time (one row): an older version's update of it keeps its written_at.
    recent: `SELECT 'deny' AS type, key AS subject, expires_at AS value FROM ${n.deny}
        WHERE written_at >= $1 AND expires_at > $2
      UNION ALL
      SELECT 'not-before', scope, at FROM ${n.watermarks} WHERE written_at >= $1 OR scope = $3`,
    // One statement, so every count comes from the same snapshot.
    stats: `WITH live AS (SELECT user_id, expires_at FROM ${n.sessions} WHERE expires_at > $1)
      SELECT (SELECT count(*) FROM live) AS sessions,
        (SELECT count(DISTINCT user_id) FROM live) AS users,
        (SELECT count(*) FROM live WHERE expires_at <= $2) AS expiring,
        (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT user_id AS "userId", count(*) AS sessions FROM live
          GROUP BY user_id ORDER BY sessions DESC LIMIT $3) t)::text AS top`,
    // The same expression as the reap_at index. GREATEST ignores a null retain_until. Ordered by
    // it, so that the batch is read off the index: with LIMIT alone, a table whose statistics are
    // stale (just loaded, autovacuum behind) is planned as a scan of every row for each batch.
    reapSessions: `DELETE FROM ${n.sessions} WHERE id IN (SELECT id FROM ${n.sessions}
      WHERE GREATEST(expires_at, retain_until) <= $1
      ORDER BY GREATEST(expires_at, retain_until) LIMIT ${DELETE_BATCH_SIZE}
      FOR UPDATE SKIP LOCKED)`,
    reapDeny: `DELETE FROM ${n.deny} WHERE key IN (SELECT key FROM ${n.deny}
      WHERE expires_at <= $1 ORDER BY expires_at LIMIT ${DELETE_BATCH_SIZE}
      FOR UPDATE SKIP LOCKED)`,
  };
}
