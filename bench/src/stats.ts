/** The middle and the spread of repeated measurements. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles (linear interpolation). */
  readonly q1: number;
  readonly q3: number;
  /** Every run's value, in run order. */
  readonly values: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** Median, quartiles and range of `values` (at least one). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    values: [...values],
  };
}

/** `a / b`, or NaN when `b` is not a positive number. */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

/** `a[i] / b[i]` for each run: a ratio within one round, where drift on the machine cancels. */
function ratiosByRun(a: readonly number[], b: readonly number[]): Summary {
  return summarize(a.map((value, i) => ratio(value, b[i]!)));
}

/**
 * How `a` compares with `b` measured in the same rounds: the median of the per-round ratios. On a
 * machine whose speed drifts, two runs seconds apart in one round share the drift that the medians
 * of each series, taken minutes apart, do not.
 */
export function paired(
  a: readonly number[],
  b: readonly number[],
): { ratio: number; byRound: Summary } {
  const byRound = ratiosByRun(a, b);
  return { ratio: byRound.median, byRound };
}
