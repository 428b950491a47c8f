import { failFastOptions, redisStore } from '@sess/store-redis';
import { Redis } from 'ioredis';

// Your client stays yours: the store never closes it or changes its settings.
const client = new Redis(process.env.REDIS_URL!, { ...failFastOptions, connectionName: 'my-app' });
client.on('error', (error) => console.error('redis:', error.message));

export const store = redisStore({ client, prefix: 'my-app:sess:' });
