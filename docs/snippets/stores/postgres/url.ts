import { createSessionManager } from '@sess/core';
import { migrate, postgresStore } from '@sess/store-postgres';

const store = postgresStore({ url: process.env.DATABASE_URL! });
await migrate(store.pool); // idempotent; safe from several instances at once
const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });

process.on('SIGTERM', () => {
  sess.close(); // stops listening for broadcasts
  void store.close(); // ends the LISTEN connection and the Pool the store created
});
