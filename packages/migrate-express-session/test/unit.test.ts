import { createHmac } from 'node:crypto';
import { createSessionManager, type SessionManager, silentLogger } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { describe, expect, it } from 'vitest';
import {
  connectPgSimpleStore,
  connectRedisStore,
  createMigration,
  expressSessionStore,
  type LegacySession,
  type LegacyStore,
  unsignLegacyCookie,
} from '../src/index.ts';

const sign = (sid: string, secret: string) =>
  `s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`;
const secrets = (...list: string[]) => list.map((s) => Buffer.from(s));

describe('unsignLegacyCookie (cookie-signature format)', () => {
  it('accepts a value signed by any secret of the list', () => {
    expect(unsignLegacyCookie(sign('abc', 'old'), secrets('new', 'old'))).toEqual({ sid: 'abc' });
    expect(unsignLegacyCookie(sign('abc', 'new'), secrets('new', 'old'))).toEqual({ sid: 'abc' });
  });

  it('splits at the last dot, as cookie-signature does', () => {
    expect(unsignLegacyCookie(sign('a.b.c', 'k'), secrets('k'))).toEqual({ sid: 'a.b.c' });
  });

  it.each([
    ['unsigned', 'abc', 'malformed'],
    ['no signature', 's:abc', 'malformed'],
    ['empty id', 's:.sig', 'malformed'],
    ['tampered id', sign('abc', 'k').replace('abc', 'abd'), 'signature'],
    ['padded signature', `${sign('abc', 'k')}=`, 'signature'],
    ['truncated signature', sign('abc', 'k').slice(0, -1), 'signature'],
    ['another secret', sign('abc', 'other'), 'signature'],
  ])('refuses %s', (_name, value, failure) => {
    expect(unsignLegacyCookie(value, secrets('k'))).toEqual({ failure });
  });
});

function manager(): SessionManager {
  return createSessionManager({
    store: memoryStore(),
    secret: 'migration-unit-secret-9d2f7a1c4e8b6a3f0c5e',
    logger: silentLogger,
  });
}

function mapStore(entries: Record<string, LegacySession>): LegacyStore {
  const map = new Map(Object.entries(entries));
  return {
    peek: async (sid) => map.get(sid) ?? null,
    take: async (sid) => {
      const found = map.get(sid) ?? null;
      map.delete(sid);
      return found;
    },
  };
}

const request = (cookie: string | null) => ({
  method: 'GET',
  headers: { get: (name: string) => (name === 'cookie' ? cookie : null) },
});

describe('createMigration', () => {
  it('lists every problem with the options at once', () => {
    expect(() =>
      createMigration(manager(), {
        secret: [],
        store: {} as LegacyStore,
        resolve: undefined as never,
        cookie: { name: '__Host-session' },
      }),
    ).toThrow(/secret.*\n?.*store.*resolve|ERR_SESS_CONFIG/s);
  });

  it("refuses a legacy cookie name that is one of sess's own", () => {
    const sess = manager();
    expect(() =>
      createMigration(sess, {
        secret: 'k',
        store: mapStore({}),
        resolve: () => null,
        cookie: { name: sess.cookies.names.session },
      }),
    ).toThrow(/sess's own cookie names/);
  });

  it('does nothing without a legacy cookie, or when a sess credential is sent', async () => {
    const sess = manager();
    const migration = createMigration(sess, {
      secret: 'k',
      store: mapStore({ abc: { userId: 'u' } }),
      resolve: (legacy) => ({ userId: legacy.userId as string }),
    });
    expect((await migration.migrate(request(null))).outcome).toBe('none');
    expect((await migration.migrate(request('theme=dark'))).outcome).toBe('none');
    const both = `${sess.cookies.names.session}=x.y; connect.sid=${encodeURIComponent(sign('abc', 'k'))}`;
    expect((await migration.migrate(request(both))).outcome).toBe('none');
  });

  it('refuses a legacy cookie sent twice (cookie tossing)', async () => {
    const migration = createMigration(manager(), {
      secret: 'k',
      store: mapStore({ abc: { userId: 'u' } }),
      resolve: () => ({ userId: 'u' }),
    });
    const value = encodeURIComponent(sign('abc', 'k'));
    const result = await migration.migrate(request(`connect.sid=${value}; connect.sid=${value}`));
    expect(result).toMatchObject({ outcome: 'refused', reason: 'ambiguous' });
  });

  it('clears the legacy cookie with the attributes it was set with', async () => {
    const migration = createMigration(manager(), {
      secret: 'k',
      store: mapStore({}),
      resolve: () => null,
      cookie: { name: 'app.sid', path: '/app', domain: 'example.com', secure: true },
    });
    const result = await migration.migrate(
      request(`app.sid=${encodeURIComponent(sign('x', 'k'))}`),
    );
    expect(result.cookies).toEqual([
      {
        name: 'app.sid',
        value: '',
        options: expect.objectContaining({
          path: '/app',
          domain: 'example.com',
          secure: true,
          maxAge: 0,
        }),
      },
    ]);
  });

  it('judges cookie.expires by the clock it is given', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    const store = mapStore({ abc: { userId: 'u', cookie: { expires: expires.toISOString() } } });
    const migration = createMigration(manager(), {
      secret: 'k',
      store,
      resolve: () => ({ userId: 'u' }),
      clock: { now: () => expires.getTime() },
    });
    const result = await migration.migrate(
      request(`connect.sid=${encodeURIComponent(sign('abc', 'k'))}`),
    );
    expect(result).toMatchObject({ outcome: 'refused', reason: 'expired' });
    expect(await store.peek('abc', 0)).toBeNull();
  });

  it('wraps a failing legacy store in a StoreError (503), never a pass', async () => {
    const migration = createMigration(manager(), {
      secret: 'k',
      store: connectRedisStore({
        client: {
          get: () => Promise.reject(new Error('down')),
          getDel: () => Promise.reject(new Error('down')),
        },
      }),
      resolve: () => ({ userId: 'u' }),
    });
    await expect(
      migration.migrate(request(`connect.sid=${encodeURIComponent(sign('abc', 'k'))}`)),
    ).rejects.toMatchObject({ code: 'ERR_SESS_STORE' });
  });

  it('refuses adapters without what they need', () => {
    expect(() => connectRedisStore({ client: {} })).toThrow(/getDel/);
    expect(() => connectPgSimpleStore({} as never)).toThrow(/PGStore/);
    expect(() => expressSessionStore({} as never, {} as never)).toThrow(/claim/);
  });
});
