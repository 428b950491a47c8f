import { randomBytes } from 'node:crypto';
import { available, pingRedis, REDIS_URL } from '@sess/behaviour-suite';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { connectRedisStore } from '../src/index.ts';
import { describeMigration } from './harness.ts';

const up = await available('Redis', pingRedis);

describeMigration('express-session + connect-redis on the real Redis', async () => {
  if (!up) return null;
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const prefix = `sess-migration-test:${randomBytes(6).toString('hex')}:`;
  const store = new RedisStore({ client, prefix });
  return {
    store,
    legacy: connectRedisStore(store),
    exists: async (sid) => (await client.exists(prefix + sid)) === 1,
    close: async () => {
      await store.clear();
      client.destroy();
    },
  };
});
