import { type StoreInterceptor, type StoreOperation, timeoutInterceptor } from '@sess/core';
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
 * The backstop for a Pool the user owns, whose settings the store never changes: each operation is
 * bounded by `timeoutMs` (a `StoreError`, `reason: 'timeout'`), except that a single-statement
 * operation needs no timer when the Pool's own `query_timeout` is within the bound.
 */
export function backstop(pool: pg.Pool, timeoutMs: number): StoreInterceptor {
  const queryTimeout = (pool.options as { query_timeout?: unknown }).query_timeout;
  const bounded = typeof queryTimeout === 'number' && queryTimeout > 0 && queryTimeout <= timeoutMs;
  return timeoutInterceptor(
    timeoutMs,
    'Postgres',
    (operation) => UNTIMED.has(operation) || (bounded && SINGLE_STATEMENT.has(operation)),
  );
}
