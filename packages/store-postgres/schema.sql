CREATE TABLE IF NOT EXISTS "public"."sess_sessions" (
  id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL, -- epoch milliseconds
  version bigint NOT NULL, -- the compare-and-set token
  record jsonb NOT NULL, -- the whole SessionRecord (secrets only as SHA-256 hashes)
  retain_until bigint -- epoch milliseconds; null: reaped at expires_at
);
-- Tables created before retention existed: add the column (nullable, so no rewrite, no default).
ALTER TABLE "public"."sess_sessions" ADD COLUMN IF NOT EXISTS retain_until bigint;
CREATE INDEX IF NOT EXISTS "sess_sessions_user_id" ON "public"."sess_sessions" (user_id);
CREATE INDEX IF NOT EXISTS "sess_sessions_expires_at" ON "public"."sess_sessions" (expires_at);
-- GREATEST ignores nulls: a row without retention is reaped at expires_at.
CREATE INDEX IF NOT EXISTS "sess_sessions_reap_at" ON "public"."sess_sessions" ((GREATEST(expires_at, retain_until)));

CREATE TABLE IF NOT EXISTS "public"."sess_sessions_deny" (
  key text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL, -- epoch milliseconds
  written_at bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint -- the latest deny (store clock, epoch ms)
);
CREATE TABLE IF NOT EXISTS "public"."sess_sessions_watermarks" (
  scope text COLLATE "C" PRIMARY KEY, -- a user id, or '*' for the global watermark
  at bigint NOT NULL, -- epoch milliseconds, never lowered
  written_at bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint -- the latest setNotBefore (store clock, epoch ms)
);
-- Tables created before recentRevocations existed: add written_at. The default is stable, so
-- existing rows read the migration time without a rewrite (recentRevocations returns them to
-- any since before it), and rows inserted by older versions still running get their insert time.
ALTER TABLE "public"."sess_sessions_deny" ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint;
ALTER TABLE "public"."sess_sessions_watermarks" ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint;
CREATE INDEX IF NOT EXISTS "sess_sessions_deny_expires_at" ON "public"."sess_sessions_deny" (expires_at);
CREATE INDEX IF NOT EXISTS "sess_sessions_deny_written_at" ON "public"."sess_sessions_deny" (written_at);
CREATE INDEX IF NOT EXISTS "sess_sessions_watermarks_written_at" ON "public"."sess_sessions_watermarks" (written_at);
