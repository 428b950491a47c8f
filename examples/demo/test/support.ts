import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { configFromEnv, type DemoConfig, FRAMEWORKS } from '../src/config.ts';
import { type DemoOptions, type RunningDemo, startDemo } from '../src/demo.ts';

/** A framework the demo runs on (`SESS_FRAMEWORK`). */
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * The frameworks the `@sess/client` tests run the demo on: all of them. Each binding answers
 * refresh, CSRF and logout in its own framework's idiom (`web` is `@sess/web` behind a plain Node
 * server), and the client must meet the same behaviour on every one.
 */
export const CLIENT_FRAMEWORKS: readonly Framework[] = FRAMEWORKS;

/**
 * The framework the browser tests run in full on: every case, in every strategy. On the others
 * they run the main flows (log in and `/me`, log out, refresh in two tabs, CSRF) in the jwt
 * strategy, where refresh matters. Every case on every framework would add more than six minutes
 * of CI for what the bindings share (the main flows add about two); the strategies meet every
 * framework over HTTP in `matrix.test.ts`, and the Node client tests run in full on every
 * framework.
 */
export const FULL_BROWSER_SET: Framework = 'express';

/**
 * Starts the demo on a free port, in its own namespace and data folder; `close()` also deletes
 * what it stored in Redis or Postgres.
 */
export async function startTestDemo(
  env: Record<string, string> = {},
  options: DemoOptions = {},
): Promise<RunningDemo> {
  const config: DemoConfig = {
    ...configFromEnv({ PORT: '0', SESS_LOGINS_PER_MINUTE: '1000', ...env }),
    namespace: `t${randomBytes(6).toString('hex')}`,
    dataDir: mkdtempSync(join(tmpdir(), 'sess-demo-')),
  };
  const demo = await startDemo(config, options);
  return {
    ...demo,
    async close() {
      await demo.close();
      await dropNamespace(config);
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

async function dropNamespace({ store, namespace, redisUrl, databaseUrl }: DemoConfig) {
  if (store === 'redis') {
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `sess:${namespace}:*`, count: 1000 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
    redis.disconnect();
  } else if (store === 'postgres') {
    const client = new pg.Client(databaseUrl);
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1",
      [`sess_${namespace}%`],
    );
    for (const { name } of rows) await client.query(`DROP TABLE "${name}" CASCADE`);
    await client.end();
  }
}

/** A JSON body, probed field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary nested fields and assert them.
export type Json = Record<string, any>;

/** A response with its JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/**
 * A browser-like client: a cookie jar (honouring `Max-Age=0`), the page's `Origin`, and the CSRF
 * token from the last body that carried one.
 */
export class DemoClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  constructor(
    readonly url: string,
    private readonly userAgent = 'demo-test/1',
  ) {}

  async request(method: string, path: string, json?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {
      origin: this.url,
      'user-agent': this.userAgent,
      cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    };
    if (method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.url), {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=', 2);
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = (await res.json().catch(() => ({}))) as Json;
    if (typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
    return { status: res.status, body, headers: res.headers };
  }

  /** Fetches a CSRF token and logs in. */
  async login(email = 'alice@example.com', password = 'alice-password-1'): Promise<Reply> {
    await this.request('GET', '/auth/csrf');
    return this.request('POST', '/auth/login', { email, password });
  }
}
