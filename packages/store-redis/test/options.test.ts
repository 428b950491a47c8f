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

describe('redisStore options: every problem at once', () => {
  it('reports shared and own problems in one ConfigError, never quoting the URL', () => {
    const url = 'http://:canary-77a1b2c3@127.0.0.1:1';
    let thrown: unknown;
    try {
      redisStore({ url, timeout: '-1s', logger: console.log, prefix: 'a{b}' } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'ERR_SESS_CONFIG',
      issues: [
        'redisStore.logger: expected { debug, info, warn, error } functions',
        'redisStore.timeout: must be a positive duration',
        expect.stringMatching(/^redisStore\.url: expected a redis:\/\//),
        'redisStore.prefix: must be a string without "{" or "}"',
      ],
    });
    expect(String((thrown as Error).message)).not.toContain('canary');
  });

  it('refuses onError, which became logger', () => {
    expect(() => redisStore({ url: 'redis://127.0.0.1:1', onError: () => {} } as never)).toThrow(
      expect.objectContaining({
        issues: [expect.stringMatching(/^redisStore\.onError: unknown option/)],
      }),
    );
  });
});
