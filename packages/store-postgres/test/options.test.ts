import { describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.ts';

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
