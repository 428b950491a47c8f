import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSessError, type SessionStore, silentLogger } from '@sess/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, redactUrl, STORE_SCHEMES, storeKind } from '../src/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.SESS_REQUIRE_SERVICES === '1';
const dir = mkdtempSync(join(tmpdir(), 'sess-store-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError issues `run` throws. */
async function issuesOf(run: () => Promise<unknown>): Promise<readonly string[]> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error ?? new Error('no error');
  return error.issues;
}

/** A round trip that proves the store reaches its backend: a watermark set, then read back. */
async function roundTrip(store: SessionStore): Promise<void> {
  const user = `u-${randomBytes(6).toString('hex')}`;
  const at = Date.now();
  await store.setNotBefore(user, at);
  expect(await store.getNotBefore(user)).toBe(at);
}

/** Whether something listens at the URL's host and port (loopback only in these tests). */
function listening(url: string, port: number): Promise<boolean> {
  const { hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(new URL(url).port || port) });
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('close', () => resolve(false));
  });
}

/** `it` for a service that is up; a loud skip when it is down, or a failure in CI. */
async function itWith(url: string, port: number): Promise<typeof it> {
  if (await listening(url, port)) return it;
  if (required) throw new Error(`SESS_REQUIRE_SERVICES=1 but ${redactUrl(url)} is unreachable`);
  console.warn(`\n!!! SKIPPING @sess/store-url tests on ${redactUrl(url)}: unreachable !!!\n`);
  return it.skip as typeof it;
}
const itRedis = await itWith(REDIS_URL, 6379);
const itPostgres = await itWith(DATABASE_URL, 5432);

describe('storeKind', () => {
  it('knows each scheme, in any letter case, and nothing else', () => {
    expect(storeKind('redis://h')).toBe('redis');
    expect(storeKind('REDISS://h')).toBe('redis');
    expect(storeKind('redis+sentinel://a:26379,b:26379/mymaster')).toBe('redis');
    expect(storeKind('postgres://h/db')).toBe('postgres');
    expect(storeKind('postgresql://h/db')).toBe('postgres');
    expect(storeKind('file:data/s.db')).toBe('sqlite');
    expect(storeKind('memory:')).toBe('memory');
    for (const other of ['mysql://h', 'data/s.db', 'sqlite:s.db', '', 'redis']) {
      expect(storeKind(other)).toBeNull();
    }
    expect(STORE_SCHEMES).toContain('file:');
  });
});

describe('redactUrl', () => {
  it('hides passwords, even in a URL that does not parse', () => {
    expect(redactUrl('redis://:hunter2@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactUrl('postgres://app:hunter2@db/sess')).not.toContain('hunter2');
    expect(redactUrl('postgres://app:hun ter2@[db/sess')).toBe('postgres://…');
    expect(redactUrl('file:data/s.db')).toBe('file:data/s.db');
  });
});

describe('openStore refuses what cannot hold', () => {
  it('an unknown scheme, without quoting a password', async () => {
    const issues = await issuesOf(() => openStore('mysql://app:hunter2@db/x'));
    expect(issues.join('\n')).toMatch(/not a store URL \(redis:, rediss:/);
    expect(issues.join('\n')).not.toContain('hunter2');
  });

  it('every option problem at once: unknown names and options of another store', async () => {
    const issues = await issuesOf(() =>
      openStore('postgres://127.0.0.1/test', { prefix: 'x:', tabel: 't' } as never),
    );
    expect(issues).toEqual([
      'openStore.tabel: unknown option (did you mean `table`?)',
      'openStore.prefix: only for redis URLs',
    ]);
    expect(await issuesOf(() => openStore('redis://127.0.0.1', { table: 't' }))).toEqual([
      'openStore.table: only for postgres and sqlite URLs',
    ]);
  });

  it('the shared store options are checked by the store itself', async () => {
    const issues = await issuesOf(() => openStore('file::memory:', { timeout: -1, migrate: true }));
    expect(issues.join('\n')).toMatch(/timeout: must be a positive duration/);
  });
});

describe('openStore opens each store', () => {
  it('memory:', async () => {
    const store = await openStore('memory:');
    expect(store.name).toBe('memory');
    await roundTrip(store);
    await store.close();
  });

  it('file: creates the tables with migrate, and needs them without', async () => {
    const url = `file:${join(dir, 'sessions.db')}`;
    const created = await openStore(url, { migrate: true, table: 'sess_url' });
    expect(created.name).toBe('sqlite');
    await roundTrip(created);
    await created.close();
    const reopened = await openStore(url, { table: 'sess_url' });
    expect(await reopened.getNotBefore('nobody')).toBe(0);
    await reopened.close();
    await expect(openStore(url, { table: 'sess_other' })).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
    expect(existsSync(join(dir, 'sessions.db'))).toBe(true);
  });

  itRedis('redis://', async () => {
    const prefix = `sess-url-${randomBytes(4).toString('hex')}:`;
    const store = await openStore(REDIS_URL, { prefix, logger: silentLogger, timeout: '1s' });
    try {
      expect(store.name).toBe('redis');
      await roundTrip(store);
    } finally {
      await store.close();
    }
  });

  itPostgres('postgres:// with migrate, in its own table', async () => {
    const table = `sess_url_${randomBytes(4).toString('hex')}`;
    const store = await openStore(DATABASE_URL, { table, migrate: true, logger: silentLogger });
    try {
      expect(store.name).toBe('postgres');
      await roundTrip(store);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      for (const suffix of ['', '_deny', '_watermarks']) {
        await client.query(`DROP TABLE IF EXISTS ${table}${suffix}`);
      }
      await client.end();
    }
  });
});
