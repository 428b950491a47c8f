import { StoreError, type StoreInterceptor, type StoreOperation } from '@sess/core';
import type pg from 'pg';

// Operations that are one statement on one pooled connection: a query_timeout bounds them.
const SINGLE_STATEMENT: ReadonlySet<StoreOperation> = new Set([
  'create',
  'get',
  'getExpired',
  'update',
  'delete',
  'listByUser',
  'deleteByUser',
  'isDenied',
  'getNotBefore',
]);

// Batched or scanning: as long as the data needs, each statement bounded by the Pool.
const UNTIMED: ReadonlySet<StoreOperation> = new Set(['deleteExpired', 'stats']);

/**
 * The backstop for a Pool the user owns, whose settings the store never changes: a timer races each
 * operation and rejects it with a `StoreError` (`reason: 'timeout'`) after `timeoutMs`. Its late
 * answer is still handled by the `then` below, so it never becomes an unhandled rejection. A
 * single-statement operation needs no timer when the Pool's own `query_timeout` is within the bound.
 */
export function backstop(pool: pg.Pool, timeoutMs: number): StoreInterceptor {
  const queryTimeout = (pool.options as { query_timeout?: unknown }).query_timeout;
  const bounded = typeof queryTimeout === 'number' && queryTimeout > 0 && queryTimeout <= timeoutMs;
  return (operation, _args, call) => {
    if (UNTIMED.has(operation) || (bounded && SINGLE_STATEMENT.has(operation))) return call();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const detail = `no answer from Postgres within ${timeoutMs} ms`;
        reject(new StoreError(operation, { reason: 'timeout', detail }));
      }, timeoutMs);
      call().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
}
