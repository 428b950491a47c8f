// express-session + connect-redis with the same metadata as sess keeps (user id, user agent, IP),
// for the bytes-per-session comparison: sessions written through connect-redis's own `set`, in
// the JSON express-session gives it (its cookie included).
import { randomBytes } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { redisPrefix, type Services } from '../services.ts';
import { redisMemory } from './measure.ts';
import { IP, PER_USER, USER_AGENT } from './sessions.ts';

export interface PeerBytes {
  sessions: number;
  bytesPerSession: number;
  keysPerSession: number;
}

const DAY_MS = 86_400_000;

export async function connectRedisBytes(services: Services, count: number): Promise<PeerBytes> {
  const client = createClient({ url: services.redisUrl });
  await client.connect();
  // The same prefix length as the sess rows (`s<count>` there, `c<count>` here).
  const prefix = redisPrefix(services, `c${count}`);
  const store = new RedisStore({ client, prefix });
  try {
    const batch = 1_000;
    for (let start = 0; start < count; start += batch) {
      const writes: Promise<void>[] = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const sid = randomBytes(24).toString('base64url'); // express-session's uid-safe(24)
        const expires = new Date(Date.now() + DAY_MS);
        const session = {
          cookie: {
            originalMaxAge: DAY_MS,
            expires,
            secure: true,
            httpOnly: true,
            path: '/',
            sameSite: 'lax',
          },
          userId: `u-${Math.floor(i / PER_USER)}`,
          userAgent: USER_AGENT,
          ip: IP,
        } as unknown as SessionData;
        writes.push(
          new Promise<void>((resolve, reject) =>
            store.set(sid, session, (error?: unknown) => (error ? reject(error) : resolve())),
          ),
        );
      }
      await Promise.all(writes);
    }
    const admin = new Redis(services.redisUrl);
    try {
      const memory = await redisMemory(admin, prefix);
      return {
        sessions: count,
        bytesPerSession: memory.bytes / count,
        keysPerSession: memory.keys / count,
      };
    } finally {
      admin.disconnect();
    }
  } finally {
    await client.quit();
  }
}
