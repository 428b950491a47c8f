/**
 * The source of the current time, in epoch milliseconds. Inject a fixed clock in tests instead of
 * sleeping.
 *
 * @example
 * ```ts
 * let now = Date.parse('2026-01-01T00:00:00Z');
 * const sess = createSessionManager({ ...options, clock: { now: () => now } });
 * now += 31 * 60_000; // the idle timeout has passed
 * ```
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

/** The wall clock (`Date.now`). */
export const systemClock: Clock = { now: () => Date.now() };
