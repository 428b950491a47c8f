import { sqliteStore } from '@sess/store-sqlite';

// file:data/sessions.db (relative to the working directory), file:///srv/app/sessions.db, or
// file::memory: for a database that lives as long as the process.
export const store = sqliteStore({
  url: process.env.SESS_STORE_URL ?? 'file:data/sessions.db',
  migrate: true,
  timeout: '500ms', // a write waits at most 0.5 s for a lock another process holds
});
