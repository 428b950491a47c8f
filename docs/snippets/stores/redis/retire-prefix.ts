import { scanKeys } from '@sess/store-redis';
import { Redis } from 'ioredis';

// Removes everything a store wrote under a prefix you no longer use (SCAN, never KEYS).
const client = new Redis(process.env.REDIS_URL!);
for await (const key of scanKeys(client, 'old-app:sess:')) await client.unlink(key);
client.disconnect();
