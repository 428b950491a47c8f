import type { Logger } from '@sess/core';

/** Counts connection errors into one outage: see {@link outageLog}. */
export interface OutageLog {
  /** A connection error nobody awaits (a failed reconnect attempt, a dropped subscriber). */
  failed(error: unknown): void;
  /** The store's own client is ready again. */
  ready(): void;
}

/**
 * The store's report of connection errors: a reconnecting client fails once per attempt, so logging
 * each error (with its stack) floods the log during an outage. This logs one `error` when errors
 * start, naming the error's code only (a message may quote an address; a stack helps nobody here),
 * counts the rest, and logs one `warn` with the count when the connection is ready again.
 */
export function outageLog(logger: Logger): OutageLog {
  let failures = 0;
  return {
    failed(error) {
      failures++;
      if (failures === 1) {
        logger.error(
          'redisStore: Redis is unreachable; requests fail closed (503) and further errors are counted until it answers',
          { error: codeOf(error) },
        );
      }
    },
    ready() {
      if (failures > 0) logger.warn('redisStore: Redis answers again', { failures });
      failures = 0;
    },
  };
}

/** What may be logged about an error: its code (`ECONNREFUSED`) or class name, never its message. */
export function codeOf(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
  return typeof name === 'string' && /^\w{1,64}$/.test(name) ? name : 'error';
}
