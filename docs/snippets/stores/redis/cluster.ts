import { failFastOptions, redisStore } from '@sess/store-redis';
import { Cluster } from 'ioredis';

const client = new Cluster(
  [
    { host: '10.0.0.11', port: 6379 },
    { host: '10.0.0.12', port: 6379 },
    { host: '10.0.0.13', port: 6379 },
  ],
  { redisOptions: { ...failFastOptions } },
);
client.on('error', (error) => console.error('redis cluster:', error.message));

export const store = redisStore({ client });
