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
