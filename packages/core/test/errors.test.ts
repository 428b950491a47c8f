import { describe, expect, it } from 'vitest';
import {
  type AnySessError,
  ConfigError,
  CookieTooLargeError,
  CsrfError,
  ExpiredError,
  httpStatusFor,
  InvalidCredentialError,
  isSessError,
  NotFoundError,
  RateLimitedError,
  RefreshReuseError,
  RevokedError,
  StoreError,
} from '../src/index.ts';

describe('errors', () => {
  it('map codes to HTTP statuses; a store failure is 503, never 401', () => {
    expect(httpStatusFor(StoreError.code)).toBe(503);
    expect(httpStatusFor(InvalidCredentialError.code)).toBe(401);
    expect(httpStatusFor(ExpiredError.code)).toBe(401);
    expect(httpStatusFor(RevokedError.code)).toBe(401);
    expect(httpStatusFor(RefreshReuseError.code)).toBe(401);
    expect(httpStatusFor(CsrfError.code)).toBe(403);
    expect(httpStatusFor(NotFoundError.code)).toBe(404);
    expect(httpStatusFor(RateLimitedError.code)).toBe(429);
    expect(httpStatusFor(ConfigError.code)).toBe(500);
    expect(httpStatusFor('ERR_SOMETHING_ELSE')).toBe(500);
  });

  it('carry a stable code, context in properties and the cause, and narrow by code', () => {
    const cause = new Error('socket hang up');
    const error: AnySessError = new StoreError('get', { cause });
    expect(error.code).toBe('ERR_SESS_STORE');
    expect(error.name).toBe('StoreError');
    expect(error.cause).toBe(cause);
    expect(error.stack).toBeTruthy();
    switch (error.code) {
      case 'ERR_SESS_STORE':
        expect(error.operation).toBe('get');
        break;
      default:
        throw new Error('did not narrow');
    }
    expect(JSON.stringify(error)).toBe(
      '{"code":"ERR_SESS_STORE","message":"Session store operation \\"get\\" failed"}',
    );
    expect(new CookieTooLargeError('sid', 5000)).toMatchObject({ cookieName: 'sid', size: 5000 });
  });

  it('isSessError recognises errors by code, also across module copies', () => {
    expect(isSessError(new RevokedError())).toBe(true);
    const foreign = Object.assign(new Error('x'), { code: 'ERR_SESS_REVOKED' });
    expect(isSessError(foreign)).toBe(true);
    expect(isSessError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isSessError({ code: 'ERR_SESS_REVOKED' })).toBe(false);
    expect(isSessError(null)).toBe(false);
  });
});
