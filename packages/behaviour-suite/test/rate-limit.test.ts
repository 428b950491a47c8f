import { randomUUID } from 'node:crypto';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
} from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { BINDINGS, startApp } from '../src/apps.ts';
import { Client } from '../src/client.ts';
import { fixture } from '../src/fixture.ts';
import { available, pgPool, redisClient } from '../src/services.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const redis = redisClient();
const pool = pgPool();
const hasRedis = await available('Redis', () => redis.connect());
const hasPostgres = await available('PostgreSQL', () => pool.query('select 1'));

afterAll(async () => {
  redis.disconnect();
  await pool.end();
});

type Backend = (points: number) => Promise<RateLimiterAbstract>;
const tables: string[] = [];
const prefix = () => `rl_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const backends: [string, boolean, Backend][] = [
  ['memory', true, async (points) => new RateLimiterMemory({ points, duration: 60 })],
  [
    'redis',
    hasRedis,
    async (points) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix(), points, duration: 60 }),
  ],
  [
    'postgres',
    hasPostgres,
    (points) =>
      new Promise((resolve, reject) => {
        const tableName = prefix();
        tables.push(tableName);
        const limiter: RateLimiterPostgres = new RateLimiterPostgres(
          { storeClient: pool, tableName, keyPrefix: tableName, points, duration: 60 },
          (error?: unknown) => (error ? reject(error) : resolve(limiter)),
        );
      }),
  ],
];

for (const [name, reachable, make] of backends) {
  describe.skipIf(!reachable)(`rate limits on the ${name} backend`, () => {
    afterAll(async () => {
      for (const t of tables) await pool.query(`drop table if exists "${t}"`);
    });

    for (const binding of BINDINGS) {
      it(`${binding}: login and refresh each have their own limit; 429 with Retry-After`, async () => {
        const loginLimiter = await make(3);
        const refreshLimiter = await make(2);
        const fx = fixture('jwt');
        const app = await startApp(binding, fx.sess, { loginLimiter, refreshLimiter });
        try {
          const client = new Client(app.url, []);
          await client.get('/auth/csrf');
          expect(
            (await client.post('/auth/login', { json: { ...ALICE, password: 'x' } })).status,
          ).toBe(401);
          expect((await client.post('/auth/login', { json: ALICE })).status).toBe(200);
          expect((await client.post('/auth/refresh')).status).toBe(200);
          expect((await client.post('/auth/refresh')).status).toBe(200);
          const refresh = await client.post('/auth/refresh');
          expect(refresh.status).toBe(429);
          expect(Number(refresh.headers.get('retry-after'))).toBeGreaterThan(0);
          expect((await client.post('/auth/login', { json: ALICE })).status).toBe(200);
          const login = await client.post('/auth/login', { json: ALICE });
          expect(login.status).toBe(429);
          expect(login.body).toEqual({
            error: { code: 'ERR_SESS_RATE_LIMITED', message: 'Too many requests' },
          });
        } finally {
          await app.close();
        }
      });
    }
  });
}

describe('a rate-limit backend that fails', () => {
  it.each(BINDINGS)(
    '%s: fails closed with 503, never lets the request through',
    async (binding) => {
      const broken = { consume: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')) };
      const fx = fixture('database');
      const app = await startApp(binding, fx.sess, { loginLimiter: broken });
      try {
        const client = new Client(app.url, []);
        await client.get('/auth/csrf');
        const login = await client.post('/auth/login', { json: ALICE });
        expect(login.status).toBe(503);
        expect(JSON.stringify(login.body)).not.toContain('ECONNREFUSED');
        expect(client.jar.has('__Host-session')).toBe(false);
      } finally {
        await app.close();
      }
    },
  );
});
