import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_OPTIONS, poolDefaults, postgresStore } from '../src/index.ts';

// Refused before any pool is created, so no server is needed.
describe('postgresStore options', () => {
  it('refuses a misspelt option at every level with the closest known name, never quoting a value', () => {
    const url = 'postgres://app:canary-3f9a1c7e5b2d@127.0.0.1:1/app';
    expect(() =>
      postgresStore({ url, tabel: 'sessions', reconnect: { maxDelay: 1000 } } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'postgresStore.tabel: unknown option (did you mean `table`?)',
          'postgresStore.reconnect.maxDelay: unknown option (did you mean `maxDelayMs`?)',
        ],
        message: expect.not.stringContaining('canary'),
      }),
    );
  });
});

describe('postgresStore options: every problem at once', () => {
  it('reports shared and own problems in one ConfigError, never quoting the URL', () => {
    const url = 'http://app:canary-9c1d2e3f@127.0.0.1:1/app';
    let thrown: unknown;
    try {
      postgresStore({ url, table: 'Sessions', timeout: 0, clock: {} } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'ERR_SESS_CONFIG',
      issues: [
        'postgresStore.clock: expected { now(): number }',
        'postgresStore.timeout: must be a positive duration',
        expect.stringMatching(/^postgresStore\.table: must match/),
        'postgresStore.url: must start with postgres:// or postgresql://',
      ],
    });
    expect(String(thrown)).not.toContain('canary');
  });

  it('refuses poolOptions with a Pool of your own: they would change nothing', () => {
    const pool = new pg.Pool();
    expect(() => postgresStore({ pool, poolOptions: { max: 2 } })).toThrow(
      expect.objectContaining({
        issues: ["postgresStore.poolOptions: only applies with `url` (set your Pool's options)"],
      }),
    );
  });
});

describe('postgresStore timeout, for a Pool created from url', () => {
  it('derives the Pool timeouts from it; poolOptions still override', async () => {
    const url = 'postgres://app@127.0.0.1:1/app';
    const store = postgresStore({ url, timeout: '500ms', poolOptions: { query_timeout: 900 } });
    try {
      expect(store.pool.options).toMatchObject({
        ...poolDefaults(500),
        connectionTimeoutMillis: 500,
        statement_timeout: 500,
        query_timeout: 900,
      });
      expect(poolDefaults(2_000)).toEqual(DEFAULT_POOL_OPTIONS);
      expect(DEFAULT_POOL_OPTIONS).toMatchObject({
        connectionTimeoutMillis: 2_000,
        statement_timeout: 2_000,
        query_timeout: 3_000,
      });
    } finally {
      await store.close();
    }
  });
});
