/**
 * `@sess/store-test-kit`: the `SessionStore` contract of `@sess/core` made executable. Cases are data
 * ({@link conformanceCases}); run them with {@link runConformance}, or register them as vitest tests
 * with `describeStoreConformance` from `@sess/store-test-kit/vitest`.
 *
 * Each case gets a fresh store from your factory and uses random ids, so no case depends on another.
 * Skipping a case needs a written reason.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts
 * import { describeStoreConformance } from '@sess/store-test-kit/vitest';
 * import { manualClock } from '@sess/store-test-kit';
 *
 * describeStoreConformance('my-store', async () => {
 *   const clock = manualClock();
 *   const client = await connect();
 *   return {
 *     store: myStore({ client, prefix: crypto.randomUUID(), clock }),
 *     clock,
 *     probe: { dump: async () => JSON.stringify(await client.dumpEverything()) },
 *     fail: async () => client.destroy(),
 *     cleanup: async () => client.destroy(),
 *   };
 * });
 * ```
 * @module
 */
export { type CountingStore, countingStore, WRITE_OPERATIONS } from './counting-store.ts';
export { makeRecord, manualClock, randomId, sha256 } from './fixtures.ts';
export {
  type CaseOutcome,
  type CaseResult,
  type ConformanceReport,
  conformanceCases,
  type PlannedCase,
  planConformance,
  runCase,
  runConformance,
} from './run.ts';
export type {
  CaseContext,
  ConformanceCase,
  ConformanceOptions,
  RawProbe,
  StoreFactory,
  StoreUnderTest,
  TestClock,
} from './types.ts';
