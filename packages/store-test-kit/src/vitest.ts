import { describe, it } from 'vitest';
import { planConformance, runCase } from './run.ts';
import type { ConformanceOptions, StoreFactory } from './types.ts';

/** Options of {@link describeStoreConformance}. */
export interface DescribeConformanceOptions extends ConformanceOptions {
  /**
   * Per-case timeout in milliseconds.
   * @default vitest's `testTimeout`
   */
  timeout?: number;
}

/**
 * Registers every conformance case as its own vitest test inside `describe(name)`. Skipped cases
 * show as skipped with their reason; so do cases for optional operations the store lacks.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@sess/core/memory';
 * import { manualClock } from '@sess/store-test-kit';
 * import { describeStoreConformance } from '@sess/store-test-kit/vitest';
 *
 * describeStoreConformance('memoryStore', async () => {
 *   const clock = manualClock();
 *   const store = memoryStore({ clock });
 *   return { store, clock, fail: () => store.close() };
 * }, { skip: { 'secret-hashed': 'no backend to read raw' } });
 * ```
 */
export function describeStoreConformance(
  name: string,
  factory: StoreFactory,
  options: DescribeConformanceOptions = {},
): void {
  const plan = planConformance(options); // throws at collection time on a bad skip
  describe(name, () => {
    for (const { conformanceCase, skipReason } of plan) {
      it(
        `${conformanceCase.id}: ${conformanceCase.title}`,
        async (test) => {
          if (skipReason !== undefined) test.skip(skipReason);
          const outcome = await runCase(conformanceCase, factory);
          if (outcome.status === 'skipped') test.skip(outcome.reason);
        },
        options.timeout,
      );
    }
  });
}
