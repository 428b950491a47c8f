import { createSessionManager } from '@sess/core';
import { redisStore } from '@sess/store-redis';

// The store creates the client (with failFastOptions) and closes it in close().
const store = redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });

process.on('SIGTERM', () => {
  sess.close();
  void store.close();
});
