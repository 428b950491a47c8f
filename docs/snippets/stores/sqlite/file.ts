import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

const store = sqliteStore({ database: 'data/sessions.db', migrate: true }); // the folder must exist
const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });

process.on('SIGTERM', () => {
  sess.close();
  void store.close();
});
