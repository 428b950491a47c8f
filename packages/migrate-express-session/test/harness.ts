import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type Clock, createSessionManager, type SessionManager, silentLogger } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { createAuth } from '@sess/express';
import express from 'express';
import session from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMigration,
  expressMigration,
  type LegacyStore,
  type Migration,
  type MigrationResult,
} from '../src/index.ts';

export const OLD_SECRET = 'the-secret-we-rotated-out-of-first-place';
export const CURRENT_SECRET = 'the-current-express-session-secret';
const SESS_SECRET = 'migration-test-secret-4f9a2c7e1b8d3a6f5c0e9b2d';

/** A legacy store as express-session and the migration each see it. */
export interface LegacySetup {
  /** What express-session writes to (a RedisStore, a PGStore, a MemoryStore). */
  readonly store: session.Store;
  /** The same sessions, as the migration reads them. */
  readonly legacy: LegacyStore;
  /** True when the legacy record of `sid` is still in the backend (read directly). */
  exists(sid: string): Promise<boolean>;
  close(): Promise<void>;
}

type Server = { url: string; close(): Promise<void> };

async function listen(app: express.Express): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The app as it ran before: express-session, writing with `secret`. */
async function legacyApp(store: session.Store, secret: string | string[]): Promise<Server> {
  const app = express();
  app.use(
    session({
      store,
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60 * 60 * 1000 },
    }),
  );
  app.post('/login/:user', (req, res) => {
    const s = req.session as session.Session & Record<string, unknown>;
    s.userId = req.params.user;
    s.cart = ['book'];
    res.json({ ok: true });
  });
  app.post('/cart', (req, res) => {
    (req.session as session.Session & Record<string, unknown>).cart = ['pen'];
    res.json({ ok: true });
  });
  return listen(app);
}

/** The app after the switch: sess, with the migration mounted before the session middleware. */
async function sessApp(sess: SessionManager, migration: Migration): Promise<Server> {
  const app = express();
  const auth = createAuth(sess);
  app.use(expressMigration(migration), auth.session);
  app.get('/me', (req, res) => {
    if (req.sess) res.json({ userId: req.sess.userId });
    else res.status(401).json({ error: 'no session' });
  });
  return listen(app);
}

/** The `connect.sid=…` pair a legacy login set, as the browser sends it back. */
function legacyCookie(response: Response): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('connect.sid='));
  if (header === undefined) throw new Error('express-session set no cookie');
  return header.split(';')[0] as string;
}

/** The legacy session id inside a `connect.sid=s%3A<sid>.<sig>` pair. */
export function sidOf(pair: string): string {
  const value = decodeURIComponent(pair.slice('connect.sid='.length));
  return value.slice(2, value.lastIndexOf('.'));
}

/**
 * The migration cases, run on one legacy backend: sessions written by express-session itself,
 * converted through sess over HTTP.
 */
export function describeMigration(name: string, setup: () => Promise<LegacySetup | null>): void {
  describe(name, () => {
    let backend: LegacySetup | null = null;
    let old: Server;
    let current: Server;
    let sess: SessionManager;
    const outcomes: MigrationResult[] = [];
    const servers: Server[] = [];

    /** A sess app over the backend; `clock` moves the migration's idea of now. */
    async function switched(clock?: Clock): Promise<Server> {
      const migration = createMigration(sess, {
        secret: [CURRENT_SECRET, OLD_SECRET],
        store: (backend as LegacySetup).legacy,
        resolve: (legacy) =>
          typeof legacy.userId === 'string'
            ? { userId: legacy.userId, data: { cart: legacy.cart as string[] } }
            : null,
        ...(clock ? { clock } : {}),
      });
      const recording: Migration = {
        cookieName: migration.cookieName,
        migrate: async (request) => {
          const result = await migration.migrate(request);
          outcomes.push(result);
          return result;
        },
      };
      const server = await sessApp(sess, recording);
      servers.push(server);
      return server;
    }

    beforeAll(async () => {
      backend = await setup();
      if (backend === null) return;
      sess = createSessionManager({
        store: memoryStore(),
        secret: SESS_SECRET,
        logger: silentLogger,
      });
      old = await legacyApp(backend.store, [CURRENT_SECRET, OLD_SECRET]);
      servers.push(old);
      current = await switched();
    });

    afterAll(async () => {
      for (const server of servers) await server.close();
      await backend?.close();
    });

    // express-session sends the body before its store's write completes: wait for the record.
    const saved = async (cookie: string) => {
      for (let i = 0; i < 200 && !(await (backend as LegacySetup).exists(sidOf(cookie))); i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return cookie;
    };
    const login = async (user: string, app: Server = old) =>
      saved(legacyCookie(await fetch(`${app.url}/login/${user}`, { method: 'POST' })));
    const me = (cookie: string, app: Server = current) =>
      fetch(`${app.url}/me`, { headers: { cookie } });
    const last = () => outcomes.at(-1) as MigrationResult;
    const cleared = (response: Response) =>
      response.headers
        .getSetCookie()
        .some((c) => c.startsWith('connect.sid=;') && /Max-Age=0/i.test(c));

    it('converts a session express-session wrote: same request served, legacy record gone', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await login('alice');
      expect(await backend.exists(sidOf(cookie))).toBe(true);
      const response = await me(`theme=dark; ${cookie}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ userId: 'alice' });
      expect(last().outcome).toBe('migrated');
      expect(cleared(response)).toBe(true);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const sessCookie = response.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${sess.cookies.names.session}=`));
      expect(sessCookie).toBeDefined();
      expect(await backend.exists(sidOf(cookie))).toBe(false);
      const [device] = await sess.list('alice');
      expect(device?.data).toEqual({ cart: ['book'] });

      // The browser now sends the sess cookie alone: an ordinary sess request.
      const next = await me((sessCookie as string).split(';')[0] as string);
      expect(next.status).toBe(200);
    });

    it('refuses a replayed legacy cookie after its conversion, and clears it', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await login('bob');
      expect((await me(cookie)).status).toBe(200);
      const replay = await me(cookie);
      expect(replay.status).toBe(401);
      expect(last()).toMatchObject({ outcome: 'refused', reason: 'missing' });
      expect(cleared(replay)).toBe(true);
      expect(await sess.list('bob')).toHaveLength(1);
    });

    it('converts exactly once when 50 requests race with one legacy cookie', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await login('carol');
      const before = outcomes.length;
      const responses = await Promise.all(Array.from({ length: 50 }, () => me(cookie)));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 401)).toHaveLength(49);
      const raced = outcomes.slice(before);
      expect(raced.filter((o) => o.outcome === 'migrated')).toHaveLength(1);
      expect(await sess.list('carol')).toHaveLength(1);
    });

    it('refuses a tampered signature and leaves the legacy record alone', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await login('dave');
      const value = decodeURIComponent(cookie.slice('connect.sid='.length));
      const end = value.at(-1) === 'A' ? 'B' : 'A';
      const flipped = `connect.sid=${encodeURIComponent(`${value.slice(0, -1)}${end}`)}`;
      const response = await me(flipped);
      expect(response.status).toBe(401);
      expect(last()).toMatchObject({ outcome: 'refused', reason: 'signature' });
      expect(cleared(response)).toBe(true);
      expect(await backend.exists(sidOf(cookie))).toBe(true);
      // The same id signed with a secret the migration was not given.
      const forged = await login('dave', await legacyApp(backend.store, 'an-attacker-secret'));
      expect((await me(forged)).status).toBe(401);
      expect(last()).toMatchObject({ outcome: 'refused', reason: 'signature' });
      expect(await sess.list('dave')).toHaveLength(0);
    });

    it('converts a cookie signed with an older secret of the list', async (ctx) => {
      if (backend === null) return ctx.skip();
      const older = await legacyApp(backend.store, OLD_SECRET);
      servers.push(older);
      const response = await me(await login('erin', older));
      expect(response.status).toBe(200);
      expect(last().outcome).toBe('migrated');
    });

    it('refuses an expired legacy session', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await login('frank');
      // Two hours on: past the legacy cookie's one-hour `expires`.
      const later = await switched({ now: () => Date.now() + 2 * 60 * 60 * 1000 });
      const response = await me(cookie, later);
      expect(response.status).toBe(401);
      expect(['expired', 'missing']).toContain((last() as { reason?: string }).reason);
      expect(cleared(response)).toBe(true);
      expect(await sess.list('frank')).toHaveLength(0);
      // And the present-day app cannot convert it afterwards either.
      expect((await me(cookie)).status).toBe(401);
    });

    it('leaves an anonymous legacy session (a cart) to express-session', async (ctx) => {
      if (backend === null) return ctx.skip();
      const cookie = await saved(legacyCookie(await fetch(`${old.url}/cart`, { method: 'POST' })));
      const response = await me(cookie);
      expect(response.status).toBe(401);
      expect(last().outcome).toBe('anonymous');
      expect(cleared(response)).toBe(false);
      expect(await backend.exists(sidOf(cookie))).toBe(true);
    });
  });
}
