/**
 * The option names one options object accepts, as a record of `true`. Build it with
 * `satisfies KnownOptions<T>`: the compiler then refuses the record until it names every key of
 * `T`, and no other, so adding an option to `T` without listing it here is a compile error rather
 * than an option refused at run time.
 *
 * @example
 * ```ts
 * const KNOWN = { url: true, prefix: true } as const satisfies KnownOptions<MyStoreOptions>;
 * const issues = unknownOptionIssues(options, KNOWN, { path: 'myStore' });
 * if (issues.length > 0) throw new ConfigError(issues);
 * ```
 */
export type KnownOptions<T> = { readonly [K in keyof Required<T>]: true };

/** Where the options object sits, and names worth suggesting that it does not accept itself. */
export interface UnknownOptionContext {
  /**
   * The option path of the object, prefixed to each issue as `<path>.<key>: ...`.
   * @default '' (top level: issues start with the key)
   */
  path?: string;
  /**
   * More names to suggest, for an object whose options are split between functions (a binding's
   * `sessionIdParam` is taken out before the HTTP options are checked). Never accepted here.
   * @default []
   */
  suggest?: readonly string[];
}

/**
 * One issue per own enumerable key of `options` that `known` does not list, each naming the
 * closest known name when one is near (`stratgey: unknown option (did you mean \`strategy\`?)`).
 * Only keys are quoted, never values (they can be secrets). Returns `[]` for a non-object.
 *
 * @example
 * ```ts
 * unknownOptionIssues({ stratgey: 'jwt' }, { strategy: true, store: true });
 * // ['stratgey: unknown option (did you mean `strategy`?)']
 * ```
 */
export function unknownOptionIssues(
  options: unknown,
  known: Readonly<Record<string, true>>,
  context: UnknownOptionContext = {},
): string[] {
  if (options === null || typeof options !== 'object') return [];
  const prefix = context.path ? `${context.path}.` : '';
  const names = [...Object.keys(known), ...(context.suggest ?? [])];
  const issues: string[] = [];
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const near = closestName(
      key,
      names.filter((name) => name !== key),
    );
    const hint = near === null ? '' : ` (did you mean \`${near}\`?)`;
    issues.push(`${prefix}${displayKey(key)}: unknown option${hint}`);
  }
  return issues;
}

/**
 * The candidate nearest to `name` (case-insensitive optimal string alignment distance: insertions,
 * deletions, substitutions and swaps of neighbours each cost 1), or null when none is within a
 * third of the longer name (at least 1, at most 3 edits, and fewer than `name` has characters).
 * Ties go to the earlier candidate.
 */
export function closestName(name: string, candidates: readonly string[]): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3)));
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < name.length && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.POSITIVE_INFINITY;
  // Three rows of the optimal-string-alignment table: the one before last, the last, the current.
  let before = new Array<number>(b.length + 1).fill(0);
  let last = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(last[j]! + 1, row[j - 1]! + 1, last[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2]! + 1);
      }
      row.push(d);
    }
    before = last;
    last = row;
  }
  return last[b.length]!;
}

// A key is the user's text, not a value, but keep a pasted blob from filling the log line.
function displayKey(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 61)}...` : printable;
}
