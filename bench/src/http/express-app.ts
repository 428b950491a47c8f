import { createSecretKey } from 'node:crypto';
import { createAuth } from '@sess/express';
import pgSession from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import express, { type RequestHandler } from 'express';
import session from 'express-session';
import { Redis } from 'ioredis';
import jsonwebtoken from 'jsonwebtoken';
import pg from 'pg';
import { createClient } from 'redis';
import { AUDIENCE, ISSUER, JWT_SECRET, SERVER_SECRET, USER } from '../fixtures.ts';
import { redisPrefix, type Services, tableName } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import {
  type Built,
  bearer,
  type Credentials,
  floorCredentials,
  ME,
  mintAccessToken,
  sampleRecord,
  sessFor,
  UNAUTHORIZED,
} from './setup.ts';

declare module 'express-session' {
  interface SessionData {
    user: string;
  }
}

/** A jsonwebtoken middleware as its README suggests, with a KeyObject and the checks it offers. */
function jsonwebtokenAuth(): RequestHandler {
  const key = createSecretKey(Buffer.from(JWT_SECRET));
  const options: jsonwebtoken.VerifyOptions = {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
  };
  return (req, res, next) => {
    const header = req.headers.authorization;
    try {
      if (!header?.startsWith('Bearer ')) throw new Error('no token');
      const claims = jsonwebtoken.verify(header.slice(7), key, options) as { sub: string };
      res.locals.user = claims.sub;
      next();
    } catch {
      res.status(401).json(UNAUTHORIZED);
    }
  };
}

/** express-session with the given store, configured as its README suggests. */
function expressSession(store: session.Store): RequestHandler {
  return session({
    store,
    secret: SERVER_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 60_000 },
  });
}

/** Logs in through the app's own route and returns the session cookie it set. */
async function loginCookie(origin: string): Promise<Credentials> {
  const response = await fetch(`${origin}/login`, { method: 'POST' });
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (response.status !== 200 || !cookie) throw new Error('express-session login failed');
  const [name, value] = cookie.split('=') as [string, string];
  // Signed `s:<id>.<signature>`: change the signature, keep the id.
  const forged = `${value.slice(0, -6)}${value.at(-6) === 'A' ? 'B' : 'A'}${value.slice(-5)}`;
  return { valid: { cookie }, forged: { cookie: `${name}=${forged}` } };
}

/**
 * The Express app of one contender: `GET /me` answers `{ user }` or 401, each contender adding
 * exactly one middleware to the route.
 */
export async function buildExpress(
  kind: ContenderKind,
  services: Services,
  name: string,
): Promise<Built> {
  const app = express();
  const closers: (() => Promise<unknown>)[] = [];
  let credentials: (origin: string) => Promise<Credentials>;
  switch (kind) {
    case 'bare': {
      app.get('/me', (_req, res) => {
        res.json(ME);
      });
      credentials = floorCredentials;
      break;
    }
    case 'noop': {
      app.get(
        '/me',
        (_req, _res, next) => next(),
        (_req, res) => {
          res.json(ME);
        },
      );
      credentials = floorCredentials;
      break;
    }
    case 'sess-jwt':
    case 'sess-jwt-otel':
    case 'sess-db-redis':
    case 'sess-db-postgres':
    case 'sess-db-sqlite': {
      const setup = await sessFor(kind, services, name);
      const auth = createAuth(setup.sess);
      app.get('/me', auth.requireSession, (req, res) => {
        res.json({ user: req.sess!.userId });
      });
      closers.push(setup.close);
      credentials = async () => setup.credentials;
      break;
    }
    case 'redis-read': {
      // What any Redis-backed session check pays at least: one read and a JSON parse of a record
      // the size of a sess session.
      const client = new Redis(services.redisUrl);
      closers.push(() => client.quit());
      const key = `${redisPrefix(services, name)}record`;
      await client.set(key, JSON.stringify(await sampleRecord()));
      app.get('/me', async (_req, res) => {
        const record = JSON.parse((await client.get(key))!) as { userId: string };
        res.json({ user: record.userId });
      });
      credentials = floorCredentials;
      break;
    }
    case 'jsonwebtoken': {
      app.get('/me', jsonwebtokenAuth(), (_req, res) => {
        res.json({ user: res.locals.user as string });
      });
      const token = await mintAccessToken();
      credentials = async () => bearer(token);
      break;
    }
    case 'express-session-redis':
    case 'express-session-postgres': {
      let store: session.Store;
      if (kind === 'express-session-redis') {
        const client = createClient({ url: services.redisUrl });
        await client.connect();
        closers.push(() => client.close());
        store = new RedisStore({ client, prefix: redisPrefix(services, name) });
      } else {
        const pool = new pg.Pool({ connectionString: services.databaseUrl });
        closers.push(() => pool.end());
        const PgStore = pgSession(session);
        store = new PgStore({
          pool,
          tableName: tableName(services, name),
          createTableIfMissing: true,
          pruneSessionInterval: false,
        });
      }
      const sessions = expressSession(store);
      app.post('/login', sessions, (req, res) => {
        req.session.user = USER;
        res.json(ME);
      });
      app.get('/me', sessions, (req, res) => {
        if (req.session.user) res.json({ user: req.session.user });
        else res.status(401).json(UNAUTHORIZED);
      });
      credentials = loginCookie;
      break;
    }
    default:
      throw new Error(`express: no contender ${kind}`);
  }
  return {
    listener: app,
    credentials: (origin) => credentials(origin),
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
