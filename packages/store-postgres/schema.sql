CREATE TABLE IF NOT EXISTS "public"."sess_sessions" (
  id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL, -- epoch milliseconds
  version bigint NOT NULL, -- the compare-and-set token
  record jsonb NOT NULL -- the whole SessionRecord (secrets only as SHA-256 hashes)
);
CREATE INDEX IF NOT EXISTS "sess_sessions_user_id" ON "public"."sess_sessions" (user_id);
CREATE INDEX IF NOT EXISTS "sess_sessions_expires_at" ON "public"."sess_sessions" (expires_at);

CREATE TABLE IF NOT EXISTS "public"."sess_sessions_deny" (
  key text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL -- epoch milliseconds
);
CREATE INDEX IF NOT EXISTS "sess_sessions_deny_expires_at" ON "public"."sess_sessions_deny" (expires_at);

CREATE TABLE IF NOT EXISTS "public"."sess_sessions_watermarks" (
  scope text COLLATE "C" PRIMARY KEY, -- a user id, or '*' for the global watermark
  at bigint NOT NULL -- epoch milliseconds, never lowered
);
