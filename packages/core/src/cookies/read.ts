import { parse } from 'cookie';

/** The result of {@link readCookies}. */
export interface CookieReadResult<K extends string> {
  /** The value of each cookie sent exactly once with a non-empty value, keyed like `names`. */
  readonly values: Partial<Record<K, string>>;
  /**
   * The keys whose cookie name appeared more than once. Such a cookie is treated as absent: a
   * duplicate usually means another (sub)domain or path planted a cookie with our name (cookie
   * tossing), and picking either copy would let the attacker choose which one we trust.
   */
  readonly ambiguous: readonly K[];
}

// Most API requests carry no Cookie header at all: they share one empty, frozen result.
const NO_COOKIES: CookieReadResult<never> = Object.freeze({
  values: Object.freeze({}),
  ambiguous: Object.freeze([]),
});

/**
 * Reads sess's cookies from a `Cookie` request header, parsed by the `cookie` library. Cookies
 * other than `names` are ignored; a name sent twice is reported in `ambiguous` and left out of
 * `values`. Never throws, whatever the header holds. Reads nothing from the URL: tokens never
 * travel in query strings.
 *
 * @example
 * ```ts
 * const { values, ambiguous } = readCookies(req.headers.get('cookie'), cookies.names);
 * const credential = values.session; // undefined when absent or ambiguous
 * ```
 */
export function readCookies<K extends string>(
  header: string | null | undefined,
  names: Readonly<Record<K, string>>,
): CookieReadResult<K> {
  if (typeof header !== 'string' || header.length === 0) return NO_COOKIES;
  // The library keeps the first of duplicate names, in an object without a prototype (so a
  // configured name such as `__proto__` reads as any other). A name found once in the whole
  // header was sent once; one found more often may be a duplicate, so only then are the pairs
  // counted one by one.
  const parsed = parse(header);
  const values: Partial<Record<K, string>> = {};
  for (const key in names) {
    const name = names[key];
    const value = parsed[name];
    if (value === undefined) continue;
    if (header.indexOf(name) !== header.lastIndexOf(name)) return readEachPair(header, names);
    if (value !== '') values[key] = value;
  }
  return { values, ambiguous: NONE };
}

const NONE: readonly never[] = Object.freeze([]);

/** {@link readCookies}, parsing pair by pair to see every occurrence of each name. */
function readEachPair<K extends string>(
  header: string,
  names: Readonly<Record<K, string>>,
): CookieReadResult<K> {
  const values: Partial<Record<K, string>> = {};
  const ambiguous: K[] = [];
  // A Map, not an object lookup: a configured name such as `__proto__` must stay inert.
  const keyOf = new Map<string, K>();
  for (const key of Object.keys(names) as K[]) keyOf.set(names[key], key);
  const seen = new Map<K, string>();
  for (const pair of header.split(';')) {
    const parsed = parse(pair);
    for (const name in parsed) {
      const key = keyOf.get(name);
      if (key === undefined) continue;
      if (seen.has(key)) {
        if (!ambiguous.includes(key)) ambiguous.push(key);
      } else {
        seen.set(key, parsed[name] ?? '');
      }
    }
  }
  for (const [key, value] of seen) {
    if (value !== '' && !ambiguous.includes(key)) values[key] = value;
  }
  return { values, ambiguous };
}
