import { createSessionManager } from '@sess/core';
import { createAuth } from '@sess/express';
import {
  connectRedisStore,
  createMigration,
  expressMigration,
} from '@sess/migrate-express-session';
import { redisStore } from '@sess/store-redis';
import express from 'express';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!);
const sess = createSessionManager({
  store: redisStore({ client: redis }),
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
const auth = createAuth(sess);

const migration = createMigration(sess, {
  // express-session's `secret`, the whole list: a cookie signed by any of them converts.
  secret: process.env.OLD_SESSION_SECRETS!.split(','),
  // The keys connect-redis wrote ('sess:' + id); `GETDEL` takes each one exactly once.
  store: connectRedisStore({ client: redis, prefix: 'sess:' }),
  // Who the legacy session belongs to, and what of it to carry forward; null leaves it alone.
  resolve: (legacy) =>
    typeof legacy.userId === 'string'
      ? { userId: legacy.userId, data: { locale: String(legacy.locale ?? 'en') } }
      : null,
  cookie: { name: 'connect.sid', secure: true },
});

const app = express();
// Before auth.session: a converted request is served as its user at once.
app.use(expressMigration(migration), express.json(), auth.session, auth.csrf);
app.get('/me', auth.requireSession, (req, res) => {
  res.json({ userId: req.sess!.userId });
});
app.listen(3000);
