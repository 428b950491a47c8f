import { createSessionManager } from '@sess/core';
import { openStore, storeUrlFromEnv } from '@sess/store-url';

// SESS_STORE=redis://cache.internal:6379, or SESS_STORE=sqlite with SESS_SQLITE_PATH=data/sess.db
const store = await openStore(storeUrlFromEnv(process.env, { kind: 'sqlite' }), {
  migrate: true,
  timeout: '1s',
});

export const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
