import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionManager, type KeyInput, type Logger, type SessionManager } from '@sess/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { demoRoutes, securityHeaders } from './app.ts';
import type { DemoConfig } from './config.ts';
import type { AppFactory } from './frameworks/deps.ts';
import { expressApp } from './frameworks/express.ts';
import { fastifyApp } from './frameworks/fastify.ts';
import { honoApp } from './frameworks/hono.ts';
import { koaApp } from './frameworks/koa.ts';
import { webApp } from './frameworks/web.ts';
import { stderrLogger } from './logger.ts';
import { DEMO_ANOMALIES, demoMetrics } from './metrics.ts';
import { openStore } from './store.ts';
import { Users } from './users.ts';

const APPS: Record<DemoConfig['framework'], AppFactory> = {
  express: expressApp,
  koa: koaApp,
  hono: honoApp,
  web: webApp,
  fastify: fastifyApp,
};

/** A demo that is listening. */
export interface RunningDemo {
  /** The trusted origin, where the page is. */
  readonly url: string;
  readonly sess: SessionManager;
  /** Stops accepting requests, then closes the manager and the store. */
  close(): Promise<void>;
}

const LOOPBACK = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/;

/** What a caller can wire in beyond the environment. */
export interface DemoOptions {
  /** Receives sess's log lines (default: the `SESS_LOG` level on stderr, or nothing). */
  readonly logger?: Logger;
  /** Signing keys for the jwt and hybrid strategies (default: one random HS256 secret). */
  readonly jwtKeys?: readonly KeyInput[];
}

/** Starts the demo as `config` describes. */
export async function startDemo(
  config: DemoConfig,
  options: DemoOptions = {},
): Promise<RunningDemo> {
  const [users, store] = await Promise.all([Users.seed(), openStore(config)]);
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(config.port, config.host, resolve);
    });
  } catch (error) {
    await store.close?.();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const origin = config.origin ?? `http://localhost:${port}`;
  const metrics = config.metrics ? demoMetrics(store) : null;
  const sess = createSessionManager({
    store: metrics?.store ?? store,
    strategy: config.strategy,
    logger: options.logger ?? stderrLogger(config.logLevel),
    // A fresh secret per start is fine for a demo: sessions survive a restart (the store keeps
    // hashes), CSRF tokens and access tokens do not, and the page recovers from both.
    secret: process.env.SESS_SECRET ?? randomBytes(32).toString('base64url'),
    csrf: { trustedOrigins: [origin] },
    ...(metrics ? { anomalies: DEMO_ANOMALIES } : {}),
    ...(config.idleTimeout === null
      ? {}
      : { sessions: { standard: { idleTimeout: config.idleTimeout } } }),
    // Browsers accept Secure (and __Host-) cookies over http only on localhost.
    cookies: { secure: !origin.startsWith('http:') || LOOPBACK.test(origin) },
    ...(config.strategy === 'database'
      ? {}
      : {
          jwt: {
            keys: options.jwtKeys ?? [
              { kid: 'demo', alg: 'HS256', secret: randomBytes(32).toString('base64url') },
            ],
            issuer: origin,
            audience: origin,
            // A short lifetime (to watch refresh happen) means what it says: no skew allowance.
            ...(config.accessTtl === null
              ? {}
              : { accessTokenTtl: config.accessTtl, clockSkew: 0 }),
          },
        }),
  });
  const app = APPS[config.framework]({
    sess,
    routes: demoRoutes(users),
    loginLimiter: new RateLimiterMemory({ points: config.loginsPerMinute, duration: 60 }),
    headers: securityHeaders(origin),
  });
  metrics?.instrument(sess);
  server.on('request', metrics ? metrics.serve(app) : app);
  return {
    url: origin,
    sess,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sess.close();
      await metrics?.shutdown();
      await store.close?.();
    },
  };
}
