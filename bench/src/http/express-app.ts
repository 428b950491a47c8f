import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createAuth } from '@sess/express';
import pgSession from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import session from 'express-session';
import jsonwebtoken from 'jsonwebtoken';
import pg from 'pg';
import { createClient } from 'redis';
import { AUDIENCE, ISSUER, JWT_SECRET, SERVER_SECRET } from '../fixtures.ts';
import { MIX, type MixName, pooled, userOf } from '../mixes.ts';
import { redisPrefix, type Services, tableName } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { storeFloor, tokenFloor } from './floors.ts';
import {
  type Built,
  type CredentialSet,
  ME,
  mintAccessTokens,
  sessFor,
  UNAUTHORIZED,
} from './setup.ts';

declare module 'express-session' {
  interface SessionData {
    user: string;
  }
}

const SESSION_MS = 30 * 60_000; // sess's idle timeout

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
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: SESSION_MS },
  });
}

/**
 * One logged-in express-session per user of `mix`, written to its store as express-session writes
 * them after a login, and the signed `connect.sid` cookies (cookie-signature's HMAC-SHA256, as
 * express-session signs and URL-encodes them).
 */
async function expressSessions(store: session.Store, mix: MixName): Promise<CredentialSet> {
  const set = promisify(store.set.bind(store));
  const signed = (sid: string, signature: string) =>
    `connect.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
  const sign = (sid: string) =>
    createHmac('sha256', SERVER_SECRET).update(sid).digest('base64').replace(/=+$/, '');
  const values: string[] = new Array(MIX[mix].users);
  let first = '';
  await pooled(values.length, 64, async (i) => {
    const sid = randomBytes(24).toString('base64url'); // uid-safe(24), as express-session
    const expires = new Date(Date.now() + SESSION_MS);
    const cookie = {
      originalMaxAge: SESSION_MS,
      expires,
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    };
    await set(sid, { cookie, user: userOf(mix, i) } as unknown as session.SessionData);
    values[i] = signed(sid, sign(sid));
    if (i === 0) first = sid;
  });
  const signature = sign(first);
  const forged = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
  return { header: 'cookie', values, forged: signed(first, forged) };
}

/** A floor's middleware: the user it read rides on the request, as every session check's does. */
function admit(req: Request, res: Response, next: NextFunction, user: string | null): void {
  if (user === null) res.status(401).json(UNAUTHORIZED);
  else {
    (req as { user?: string }).user = user;
    next();
  }
}

const floorHandler: RequestHandler = (req, res) => {
  res.json({ user: (req as { user?: string }).user });
};

/**
 * The Express app of one contender: `GET /me` answers `{ user }` or 401, each contender adding
 * exactly one middleware to the route.
 */
export async function buildExpress(
  kind: ContenderKind,
  services: Services,
  name: string,
  mix: MixName,
): Promise<Built> {
  const app = express();
  const closers: (() => Promise<unknown>)[] = [];
  let credentials: CredentialSet;
  let sess: Built['sess'];
  switch (kind) {
    case 'bare': {
      app.get('/me', (_req, res) => {
        res.json(ME);
      });
      credentials = await mintAccessTokens(mix);
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
      credentials = await mintAccessTokens(mix);
      break;
    }
    case 'token-lookup': {
      const floor = await tokenFloor(mix);
      app.get(
        '/me',
        (req, res, next) => admit(req, res, next, floor.read(req.headers.authorization)),
        floorHandler,
      );
      credentials = floor.credentials;
      break;
    }
    case 'redis-read':
    case 'postgres-read':
    case 'sqlite-read': {
      const floor = await storeFloor(
        kind === 'redis-read' ? 'redis' : kind === 'postgres-read' ? 'postgres' : 'sqlite',
        services,
        name,
        mix,
      );
      app.get(
        '/me',
        (req, res, next) => {
          floor.read(req.headers.cookie).then((user) => admit(req, res, next, user), next);
        },
        floorHandler,
      );
      closers.push(floor.close);
      credentials = floor.credentials;
      break;
    }
    case 'sess-jwt':
    case 'sess-jwt-otel':
    case 'sess-db-redis':
    case 'sess-db-postgres':
    case 'sess-db-sqlite': {
      const setup = await sessFor(kind, services, name, mix);
      const auth = createAuth(setup.sess);
      app.get('/me', auth.requireSession, (req, res) => {
        res.json({ user: req.sess!.userId });
      });
      closers.push(setup.close);
      credentials = setup.credentials;
      sess = setup.sess;
      break;
    }
    case 'jsonwebtoken': {
      app.get('/me', jsonwebtokenAuth(), (_req, res) => {
        res.json({ user: res.locals.user as string });
      });
      credentials = await mintAccessTokens(mix);
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
        const table = tableName(services, name);
        // connect-pg-simple's table.sql, with constraint and index names of this table's own (its
        // createTableIfMissing names them alike for every table, so a second table clashes).
        await pool.query(
          `CREATE TABLE ${table} (sid varchar NOT NULL COLLATE "default" PRIMARY KEY,
             sess json NOT NULL, expire timestamp(6) NOT NULL)`,
        );
        await pool.query(`CREATE INDEX ON ${table} (expire)`);
        store = new PgStore({ pool, tableName: table, pruneSessionInterval: false });
      }
      const sessions = expressSession(store);
      app.get('/me', sessions, (req, res) => {
        if (req.session.user) res.json({ user: req.session.user });
        else res.status(401).json(UNAUTHORIZED);
      });
      credentials = await expressSessions(store, mix);
      break;
    }
    default:
      throw new Error(`express: no contender ${kind}`);
  }
  return {
    listener: app,
    credentials,
    ...(sess ? { sess } : {}),
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
