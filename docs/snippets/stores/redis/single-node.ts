import { createServer } from 'node:http';
import { createSessionManager } from '@sess/core';
import { redisStore } from '@sess/store-redis';

// The store creates the client (with failFastOptions) and closes it in close().
const store = redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
const server = createServer(/* your app, using sess */).listen(3000);

// A SIGTERM listener replaces Node's default (exit at once), so it must end the process itself:
// stop accepting connections, let requests in flight finish, close sess and the store, exit.
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref(); // a hung connection must not block the deploy
  server.close(() => {
    // sess first (it stops broadcasts and replica syncs; one in flight settles), then the store.
    sess
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
});
