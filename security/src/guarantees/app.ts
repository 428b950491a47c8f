import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSessionManager,
  type JwtOptions,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
  type Strategy,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { createAuth } from '@sess/express';
import express, { type ErrorRequestHandler } from 'express';
import { TestClock } from './clock.ts';

/** The accounts of the app under test (plain comparisons: 50 parallel logins stay cheap). */
export const USERS = {
  alice: { id: 'u-alice', email: 'alice@example.com', password: 'alice-password-1' },
  bob: { id: 'u-bob', email: 'bob@example.com', password: 'bob-password-1' },
} as const;

/** One account of {@link USERS}. */
export type User = (typeof USERS)[keyof typeof USERS];

/** The timings every cell starts from (short, so a frozen clock crosses them in a few steps). */
export const TIMING = {
  idleMs: 10 * 60_000,
  absoluteMs: 60 * 60_000,
  accessTtlMs: 4 * 60_000,
  /** The jwt default `clockSkew`, kept: it is what users run. */
  skewMs: 30_000,
  /** `requireFresh` on `POST /account/sensitive`. */
  freshMs: 5 * 60_000,
} as const;

/**
 * Overrides of the manager's options a cell may set (anything but store, clock and strategy);
 * `jwt` is merged into the app's own (keys, issuer, audience, lifetime).
 */
export type Overrides = Partial<
  Omit<SessionManagerOptions, 'store' | 'clock' | 'strategy' | 'jwt'>
> & {
  jwt?: Partial<JwtOptions>;
};

/** What {@link startGuaranteeApp} takes. */
export interface AppOptions {
  readonly strategy: Strategy;
  readonly overrides?: Overrides;
  /** The frozen clock (a new one by default). */
  readonly clock?: TestClock;
  /** Store calls yield to the event loop first, as a networked store's do. @default false */
  readonly storeLatency?: boolean;
  /** Another instance's store and keys, to run a second instance of the same app. */
  readonly sharedWith?: GuaranteeApp;
}

/** A running app: the manager, its store and keys, and where it listens. */
export interface GuaranteeApp {
  /** Where it listens, which is also its trusted origin. */
  readonly url: string;
  readonly strategy: Strategy;
  readonly sess: SessionManager;
  readonly store: SessionStore & { fail: boolean };
  readonly clock: TestClock;
  /** The HS256 access-token key (jwt, hybrid), so a cell can sign tokens as the server would. */
  readonly jwtSecret: string;
  readonly secret: string;
  /** Every line sess logged (level, message and fields as JSON), instead of stderr. */
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * A memory store that fails every call while `fail` is set (a store outage). With `latency`, each
 * call first yields to the event loop, as a call to a networked store (Redis, Postgres) does, so
 * concurrent requests interleave between store calls.
 */
function testStore(clock: TestClock, latency: boolean): SessionStore & { fail: boolean } {
  const inner = memoryStore({ clock });
  const state = { fail: false };
  const yieldFirst = latency
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () => Promise.resolve();
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'fail') return state.fail;
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'subscribe' || key === 'close') return value;
      const call = (args: unknown[]) =>
        state.fail
          ? Promise.reject(new Error('store down'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
      return latency
        ? (...args: unknown[]) => yieldFirst().then(() => call(args))
        : (...args: unknown[]) => call(args);
    },
    set(_target, key, value) {
      if (key !== 'fail') return false;
      state.fail = value as boolean;
      return true;
    },
  }) as SessionStore & { fail: boolean };
}

/** The options the app builds its manager from; cells that expect a ConfigError use them too. */
export function managerOptions(
  strategy: Strategy,
  origin: string,
  clock: TestClock,
  store: SessionStore,
  keys: { secret: string; jwtSecret: string },
  overrides: Overrides = {},
): SessionManagerOptions {
  const { sessions, jwt, ...rest } = overrides;
  return {
    store,
    strategy,
    secret: keys.secret,
    clock,
    csrf: { trustedOrigins: [origin] },
    sessions: {
      ...sessions,
      standard: {
        idleTimeout: TIMING.idleMs / 1000,
        absoluteTimeout: TIMING.absoluteMs / 1000,
        ...sessions?.standard,
      },
    },
    ...(strategy === 'database' && jwt === undefined
      ? {}
      : {
          jwt: {
            keys: [{ kid: 'k1', alg: 'HS256', secret: keys.jwtSecret }],
            issuer: origin,
            audience: origin,
            accessTokenTtl: TIMING.accessTtlMs / 1000,
            ...jwt,
          },
        }),
    ...rest,
  };
}

/**
 * Starts the app under test on 127.0.0.1, port 0: `createSessionManager` with a memory store, the
 * strategy and the cell's overrides, a frozen clock, and the Express binding with the auth routes
 * mounted in one line (`auth.routes`), as the demo mounts them. `trust proxy` is `loopback`, so
 * `X-Forwarded-For` sent from the test is the request's IP. Rejects with the manager's
 * ConfigError when the options are refused (nothing is left listening).
 */
export async function startGuaranteeApp(options: AppOptions): Promise<GuaranteeApp> {
  const shared = options.sharedWith;
  const clock = options.clock ?? shared?.clock ?? new TestClock();
  const store = shared?.store ?? testStore(clock, options.storeLatency ?? false);
  const secret = shared?.secret ?? randomBytes(32).toString('base64url');
  const jwtSecret = shared?.jwtSecret ?? randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const logs: string[] = [];
  const line =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  let sess: SessionManager;
  try {
    // A second instance shares the first one's origin: one site, two servers.
    const origin = shared?.url ?? url;
    sess = createSessionManager(
      managerOptions(
        options.strategy,
        origin,
        clock,
        store,
        { secret, jwtSecret },
        {
          logger,
          ...options.overrides,
        },
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  server.on('request', expressApp(sess));
  return {
    url,
    strategy: options.strategy,
    sess,
    store,
    clock,
    jwtSecret,
    secret,
    logs,
    async close() {
      await stop();
      sess.close();
    },
  };
}

const ACCOUNTS = Object.values(USERS);

function expressApp(sess: SessionManager): express.Express {
  const auth = createAuth(sess);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(auth.session, auth.csrf);
  app.use(
    auth.routes({
      login: async (_req, body) => {
        const user = ACCOUNTS.find((u) => u.email === body.email && u.password === body.password);
        return user ? { userId: user.id, body: { user: { id: user.id } } } : null;
      },
    }),
  );
  app.get('/me', auth.requireSession, (req, res) => {
    res.json({ user: { id: req.sess!.userId }, session: { id: req.sess!.sessionId } });
  });
  app.post('/account/profile', auth.requireSession, express.json(), (req, res) => {
    res.json({ saved: true, userId: req.sess!.userId });
  });
  app.post(
    '/account/sensitive',
    auth.requireFresh(TIMING.freshMs / 1000),
    express.json(),
    (req, res) => {
      res.json({ done: true, userId: req.sess!.userId });
    },
  );
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'ERR_APP_NOT_FOUND', message: 'No such route' } });
  });
  const onError: ErrorRequestHandler = (_error, _req, res, _next) => {
    res.status(500).json({ error: { code: 'ERR_APP_INTERNAL', message: 'Internal error' } });
  };
  app.use(onError);
  return app;
}
