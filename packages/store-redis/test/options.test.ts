import { describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.ts';

// Refused before any client is created, so no server is needed.
describe('redisStore options', () => {
  it('refuses a misspelt option with the closest known name, never quoting a value', () => {
    const url = 'redis://:canary-3f9a1c7e5b2d@127.0.0.1:1';
    expect(() => redisStore({ url, prefx: 'app:', watermarkTTL: '1d' } as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: [
          'redisStore.prefx: unknown option (did you mean `prefix`?)',
          'redisStore.watermarkTTL: unknown option (did you mean `watermarkTtl`?)',
        ],
        message: expect.not.stringContaining('canary'),
      }),
    );
  });
});
