import { cappedCases } from './cases/capped.ts';
import { expiryCases } from './cases/expiry.ts';
import { failureCases } from './cases/failures.ts';
import { maintenanceCases } from './cases/maintenance.ts';
import { modelCases } from './cases/model.ts';
import { recordCases } from './cases/records.ts';
import { retentionCases } from './cases/retention.ts';
import { revocationCases } from './cases/revocation.ts';
import { secretCases } from './cases/secrets.ts';
import { updateCases } from './cases/update.ts';
import { userCases } from './cases/users.ts';
import type { CaseContext, ConformanceCase, ConformanceOptions, StoreFactory } from './types.ts';

/** Every conformance case, in a stable order (each one is independent of the others). */
export const conformanceCases: readonly ConformanceCase[] = Object.freeze([
  ...recordCases,
  ...updateCases,
  ...userCases,
  ...cappedCases,
  ...revocationCases,
  ...expiryCases,
  ...retentionCases,
  ...maintenanceCases,
  ...failureCases,
  ...secretCases,
  ...modelCases,
]);

/** A case with the reason it is skipped, if it is. */
export interface PlannedCase {
  /** The case. */
  readonly conformanceCase: ConformanceCase;
  /** Why it is skipped (from `options.skip`), or undefined when it runs. */
  readonly skipReason: string | undefined;
}

/**
 * Resolves `options.skip` against the cases. Throws when a skip names an unknown case or gives no
 * reason, so a typo or a silent skip cannot weaken the suite.
 */
export function planConformance(options: ConformanceOptions = {}): PlannedCase[] {
  const skip = options.skip ?? {};
  const known = new Set(conformanceCases.map((c) => c.id));
  const problems: string[] = [];
  for (const [id, reason] of Object.entries(skip)) {
    if (!known.has(id)) problems.push(`unknown case id "${id}"`);
    if (typeof reason !== 'string' || reason.trim() === '')
      problems.push(`skip of "${id}" needs a reason`);
  }
  if (problems.length > 0)
    throw new TypeError(`Invalid conformance options: ${problems.join('; ')}`);
  return conformanceCases.map((conformanceCase) => ({
    conformanceCase,
    skipReason: Object.hasOwn(skip, conformanceCase.id) ? skip[conformanceCase.id] : undefined,
  }));
}

class CaseSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** How one case ended when it did not fail (a failure is thrown). */
export type CaseOutcome = { status: 'passed' } | { status: 'skipped'; reason: string };

/**
 * Runs one case against a fresh store from `factory`, then cleans up (`cleanup()`, or else
 * `store.close()`). Resolves with the outcome; rejects with the case's assertion error on failure.
 */
export async function runCase(
  conformanceCase: ConformanceCase,
  factory: StoreFactory,
): Promise<CaseOutcome> {
  const sut = await factory();
  const ctx: CaseContext = {
    store: sut.store,
    now: () => (sut.clock ? sut.clock.now() : Date.now()),
    clock: sut.clock,
    probe: sut.probe,
    fail: sut.fail,
    skip: (reason) => {
      throw new CaseSkipped(reason);
    },
  };
  let outcome: CaseOutcome = { status: 'passed' };
  let failure: { error: unknown } | undefined;
  try {
    await conformanceCase.run(ctx);
  } catch (error) {
    if (error instanceof CaseSkipped) outcome = { status: 'skipped', reason: error.reason };
    else failure = { error };
  }
  try {
    await (sut.cleanup ? sut.cleanup() : sut.store.close?.());
  } catch (error) {
    failure ??= { error }; // the case's own failure is the more useful one
  }
  if (failure) throw failure.error;
  return outcome;
}

/** The result of one case in a {@link ConformanceReport}. */
export type CaseResult = { id: string; title: string } & (
  | { status: 'passed' }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: unknown }
);

/** What {@link runConformance} found; `ok` is false when any case failed. */
export interface ConformanceReport {
  /** True when no case failed. */
  ok: boolean;
  /** One entry per case, in order. */
  results: CaseResult[];
}

/**
 * Runs every case, one after the other, each against a fresh store from `factory`, with any test
 * runner or none. For vitest, `describeStoreConformance` from `@sess/store-test-kit/vitest`
 * registers each case as its own test instead.
 *
 * @example
 * ```ts
 * const report = await runConformance(async () => ({ store: myStore({ prefix: randomId() }) }), {
 *   skip: { 'secret-hashed': 'no raw access to the backend in this environment' },
 * });
 * if (!report.ok) console.error(report.results.filter((r) => r.status === 'failed'));
 * ```
 */
export async function runConformance(
  factory: StoreFactory,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const results: CaseResult[] = [];
  for (const { conformanceCase, skipReason } of planConformance(options)) {
    const { id, title } = conformanceCase;
    if (skipReason !== undefined) {
      results.push({ id, title, status: 'skipped', reason: skipReason });
      continue;
    }
    try {
      results.push({ id, title, ...(await runCase(conformanceCase, factory)) });
    } catch (error) {
      results.push({ id, title, status: 'failed', error });
    }
  }
  return { ok: results.every((r) => r.status !== 'failed'), results };
}
