import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.ts';

describe('sqliteStore options', () => {
  it('refuses a misspelt option with the closest known name, never quoting a value', () => {
    const canary = 'data/canary-3f9a1c7e5b2d.db';
    expect(() =>
      sqliteStore({ database: ':memory:', migrte: true, tabel: canary } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'sqliteStore.migrte: unknown option (did you mean `migrate`?)',
          'sqliteStore.tabel: unknown option (did you mean `table`?)',
        ],
        message: expect.not.stringContaining(canary),
      }),
    );
  });
});

describe('sqliteStore options: every problem at once', () => {
  it('reports shared and own problems in one ConfigError', () => {
    expect(() =>
      sqliteStore({
        url: 'sqlite:data/sessions.db',
        table: 'bad-name',
        timeout: '2m',
        logger: {},
      } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'sqliteStore.logger: expected { debug, info, warn, error } functions',
          expect.stringMatching(/^sqliteStore\.table: must match/),
          expect.stringMatching(/^sqliteStore\.url: expected file:path\.db/),
          'sqliteStore.timeout: must be at most 60s (a write waits synchronously)',
        ],
      }),
    );
  });

  it('refuses busyTimeout, which became timeout', () => {
    expect(() => sqliteStore({ database: ':memory:', busyTimeout: 100 } as never)).toThrow(
      expect.objectContaining({
        issues: [expect.stringMatching(/^sqliteStore\.busyTimeout: unknown option/)],
      }),
    );
  });
});

describe('sqliteStore without migrate', () => {
  it('never creates the file: a mistyped path fails and leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-sqlite-missing-'));
    try {
      const path = join(dir, 'typo.db');
      expect(() => sqliteStore({ database: path })).toThrow(/unable to open database file/);
      expect(() => sqliteStore({ url: `file:${path}` })).toThrow(/unable to open database file/);
      expect(existsSync(path)).toBe(false);
      sqliteStore({ url: `file:${path}`, migrate: true }).close();
      expect(existsSync(path)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
