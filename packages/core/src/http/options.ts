import { ConfigError } from '../errors.ts';
import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';

/** A `Clear-Site-Data` directive (sent quoted). */
export type ClearSiteDataDirective = 'cache' | 'cookies' | 'storage' | 'executionContexts' | '*';

/** Options of the HTTP layer every binding shares; validated once, when the binding is created. */
export interface HttpAuthOptions {
  /**
   * `Clear-Site-Data` on logout (and on "log out everywhere" without `exceptCurrent`): the browser
   * drops what the site stored. `false` sends none (sess still clears its own cookies).
   * @default ['cookies', 'storage']
   */
  clearSiteData?: false | readonly ClearSiteDataDirective[];
  /** `Retry-After` seconds on a 503 (store down). @default 1 */
  retryAfter?: number;
  /** The largest request body the handlers read, in bytes (413 past it). @default 16384 */
  bodyLimit?: number;
  /** The `realm` of `WWW-Authenticate`. @default 'sess' */
  realm?: string;
  /**
   * Whether login and refresh responses carry the refresh credential in the body for clients that
   * are not browsers (no `Origin`, `Referer`, `Sec-Fetch-Site` or `Cookie` header). Browsers only
   * ever get it in an `HttpOnly` cookie.
   * @default 'non-browser'
   */
  tokensInBody?: 'non-browser' | 'never';
}

/** Options every binding's `createAuth` takes: the HTTP options plus the route parameter name. */
export interface BindingOptions extends HttpAuthOptions {
  /** The route parameter holding the session id in `revokeSession`. @default 'id' */
  sessionIdParam?: string;
}

/** {@link HttpAuthOptions} with every default applied. */
export interface ResolvedHttpAuthOptions {
  readonly clearSiteData: string | null;
  readonly retryAfter: number;
  readonly bodyLimit: number;
  readonly realm: string;
  readonly tokensInBody: boolean;
}

const DIRECTIVES: ReadonlySet<unknown> = new Set([
  'cache',
  'cookies',
  'storage',
  'executionContexts',
  '*',
]);
const KEYS = {
  clearSiteData: true,
  retryAfter: true,
  bodyLimit: true,
  realm: true,
  tokensInBody: true,
} as const satisfies KnownOptions<HttpAuthOptions>;
// What a binding's createAuth takes besides these; it takes them out before calling us, so they
// are only suggested (`sessionIdparam` is a typo of one), never accepted here.
const BINDING_ONLY = {
  sessionIdParam: true,
} as const satisfies KnownOptions<Omit<BindingOptions, keyof HttpAuthOptions>>;

/** Validates {@link HttpAuthOptions}; throws one ConfigError listing every problem. */
export function resolveHttpAuthOptions(
  options: HttpAuthOptions = {},
  prefix = 'http',
): ResolvedHttpAuthOptions {
  const issues: string[] = [];
  issues.push(
    ...unknownOptionIssues(options, KEYS, { path: prefix, suggest: Object.keys(BINDING_ONLY) }),
  );
  const directives = options.clearSiteData ?? ['cookies', 'storage'];
  if (
    directives !== false &&
    (!Array.isArray(directives) || !directives.every((d) => DIRECTIVES.has(d)))
  ) {
    issues.push(`${prefix}.clearSiteData: false or a list of ${[...DIRECTIVES].join(', ')}`);
  }
  const retryAfter = options.retryAfter ?? 1;
  if (!Number.isInteger(retryAfter) || retryAfter < 0) {
    issues.push(`${prefix}.retryAfter: a whole number of seconds >= 0`);
  }
  const bodyLimit = options.bodyLimit ?? 16_384;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 256) {
    issues.push(`${prefix}.bodyLimit: a whole number of bytes >= 256`);
  }
  const realm = options.realm ?? 'sess';
  if (typeof realm !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(realm)) {
    issues.push(`${prefix}.realm: 1-64 printable characters, no quote or backslash`);
  }
  const tokensInBody = options.tokensInBody ?? 'non-browser';
  if (tokensInBody !== 'non-browser' && tokensInBody !== 'never') {
    issues.push(`${prefix}.tokensInBody: 'non-browser' or 'never'`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    clearSiteData:
      directives === false || directives.length === 0
        ? null
        : directives.map((d) => `"${d}"`).join(', '),
    retryAfter,
    bodyLimit,
    realm,
    tokensInBody: tokensInBody === 'non-browser',
  });
}
