import { available, DATABASE_URL, REDIS_URL } from '@sess/behaviour-suite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, STORES, STRATEGIES } from '../src/config.ts';
import type { RunningDemo } from '../src/demo.ts';
import { DemoClient, startTestDemo } from './support.ts';

const reachable = {
  sqlite: true,
  memory: true,
  redis: await available('Redis', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect().finally(() => client.disconnect());
  }),
  postgres: await available('PostgreSQL', async () => {
    const client = new pg.Client(DATABASE_URL);
    await client.connect();
    await client.end();
  }),
};

// The main flow on every framework × store × strategy: csrf → login → me → refresh → logout.
describe.each(STORES)('demo on %s', (store) => {
  describe.skipIf(!reachable[store]).each(FRAMEWORKS)('%s', (framework) => {
    describe.each(STRATEGIES)('%s strategy', (strategy) => {
      let demo: RunningDemo;
      beforeAll(async () => {
        demo = await startTestDemo({
          SESS_FRAMEWORK: framework,
          SESS_STORE: store,
          SESS_STRATEGY: strategy,
          REDIS_URL,
          DATABASE_URL,
        });
      });
      afterAll(() => demo?.close());

      it('logs in, answers me, refreshes and logs out', async () => {
        const client = new DemoClient(demo.url);
        expect((await client.request('GET', '/auth/csrf')).status).toBe(200);
        const bad = await client.request('POST', '/auth/login', {
          email: 'alice@example.com',
          password: 'wrong',
        });
        expect(bad.status).toBe(401);

        const login = await client.login();
        expect(login.status).toBe(200);
        expect(login.body.user).toEqual({
          id: 'u-alice',
          email: 'alice@example.com',
          displayName: '',
        });
        // Credentials reach a browser only in HttpOnly cookies; it learns when to refresh.
        expect(login.body.refreshToken).toBeUndefined();
        expect(login.body.sessionToken).toBeUndefined();
        expect(login.body.accessToken).toBeUndefined();
        expect(typeof login.body.expiresIn).toBe(strategy === 'database' ? 'undefined' : 'number');

        const me = await client.request('GET', '/me');
        expect(me.status).toBe(200);
        expect(me.body.user.email).toBe('alice@example.com');
        const sessionId = me.body.session.id;
        expect(typeof sessionId).toBe('string');

        const before = new Map(client.cookies);
        const refresh = await client.request('POST', '/auth/refresh');
        expect(refresh.status).toBe(200);
        expect(client.cookies).not.toEqual(before);
        const after = await client.request('GET', '/me');
        expect(after.status).toBe(200);
        expect(after.body.session.id).toBe(sessionId);

        const profile = await client.request('POST', '/account/profile', { displayName: 'Alice' });
        expect(profile.status).toBe(200);
        expect(profile.body.user.displayName).toBe('Alice');

        const logout = await client.request('POST', '/auth/logout');
        expect(logout.status).toBe(200);
        expect(logout.body).toEqual({ loggedOut: true });
        expect((await client.request('GET', '/me')).status).toBe(401);

        // The old cookies are dead server-side too, not only cleared in this jar.
        const replay = new DemoClient(demo.url);
        for (const [name, value] of before) replay.cookies.set(name, value);
        expect((await replay.request('GET', '/me')).status).toBe(401);
      });
    });
  });
});
