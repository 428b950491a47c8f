import { defaultLogger, type Logger } from './events.ts';
import { type Clock, systemClock } from './util/clock.ts';
import { type Duration, parseDuration } from './util/duration.ts';
import type { KnownOptions } from './util/known-keys.ts';

/**
 * The options every sess store accepts, with one meaning everywhere. A store's own options extend
 * it; a store of your own should too.
 */
export interface StoreOptions {
  /**
   * The time source for expiry on read. Give it the session manager's clock in tests.
   * @default systemClock (`Date.now`)
   */
  clock?: Clock;
  /**
   * Where background problems go: errors nobody awaits (a dropped connection, a reconnect, a
   * broadcast listener that threw), each outage logged when it starts and when it ends, never once
   * per attempt. Fields hold error codes, never messages, URLs or passwords. Failures of store
   * operations are not logged here: they reject (core answers 503).
   * @default defaultLogger (warnings and errors on stderr)
   */
  logger?: Logger;
  /**
   * The longest one operation may wait on the backend (seconds, or a string such as `'500ms'`);
   * past it the operation rejects with a `StoreError` (`reason: 'timeout'`), a 503.
   * @default '2s'
   */
  timeout?: Duration;
}

/** The default of {@link StoreOptions.timeout}. */
export const DEFAULT_STORE_TIMEOUT: Duration = '2s';

/** The {@link StoreOptions} names, to spread into a store's own `KnownOptions` record. */
export const STORE_OPTION_NAMES: KnownOptions<StoreOptions> = {
  clock: true,
  logger: true,
  timeout: true,
};

/** {@link StoreOptions} with their defaults applied. */
export interface ResolvedStoreOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs: number;
}

/**
 * Checks the shared options of a store named `path` (for example `'redisStore'`), adding every
 * problem to `issues` so the store can report all of its own at once, and applies the defaults.
 *
 * @example
 * ```ts
 * const issues = unknownOptionIssues(options, KNOWN, { path: 'myStore' });
 * const { clock, logger, timeoutMs } = resolveStoreOptions(options, 'myStore', issues);
 * if (issues.length > 0) throw new ConfigError(issues);
 * ```
 */
export function resolveStoreOptions(
  options: StoreOptions,
  path: string,
  issues: string[],
): ResolvedStoreOptions {
  const { clock = systemClock, logger = defaultLogger } = options;
  if (typeof clock?.now !== 'function') issues.push(`${path}.clock: expected { now(): number }`);
  const methods = ['debug', 'info', 'warn', 'error'] as const;
  if (!methods.every((method) => typeof logger?.[method] === 'function')) {
    issues.push(`${path}.logger: expected { debug, info, warn, error } functions`);
  }
  const timeoutMs = parseDuration(options.timeout ?? DEFAULT_STORE_TIMEOUT);
  if (timeoutMs === null || timeoutMs <= 0) {
    issues.push(`${path}.timeout: must be a positive duration`);
  }
  return { clock, logger, timeoutMs: timeoutMs ?? 0 };
}
