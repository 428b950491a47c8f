import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';
import type { CookieOptions, SameSite } from './types.ts';

/** The names of the cookies sess sets. */
export interface CookieNames {
  /** The session credential (database strategy) or the access token cookie. */
  session: string;
  /** The refresh credential (jwt and hybrid strategies), scoped to the refresh route. */
  refresh: string;
  /** The CSRF cookie: the pre-session id before login, the double-submit token after it. */
  csrf: string;
  /** The guest session credential (the `guest` option), set on the first guest write. */
  guest: string;
}

/**
 * How sess names and scopes its cookies. Every option is optional; the defaults are the secure
 * choice (on `http://localhost` too) and only need changing for a shared parent domain, a custom
 * refresh route, or plain HTTP on a host other than localhost.
 *
 * @example
 * ```ts
 * // a strict same-site policy, on the host only (the defaults otherwise)
 * const cookies: CookieConfig = { sameSite: 'strict' };
 * ```
 */
export interface CookieConfig {
  /**
   * Sets `Secure` on every cookie. Keep it on in development too: Chromium and Firefox accept
   * `Secure` cookies on `http://localhost`. Turn it off only for plain HTTP on another host, from
   * a flag of its own (never from `NODE_ENV`, which is often unset in production): the `__Host-` /
   * `__Secure-` prefixes are then dropped from the default names, since browsers refuse prefixed
   * cookies without `Secure`.
   * @default true
   */
  secure?: boolean;
  /**
   * The `SameSite` attribute of every cookie. `'none'` requires `secure`.
   * @default 'lax'
   */
  sameSite?: SameSite;
  /**
   * A `Domain` attribute, to share cookies with subdomains. Avoid it: every subdomain can then read
   * and overwrite the cookies. Setting it forbids `__Host-` names, so the default names switch to
   * `__Secure-`.
   * @default undefined (host-only cookies)
   */
  domain?: string;
  /**
   * Sets `Partitioned` (CHIPS), for apps embedded in third-party iframes; requires `secure`.
   * @default false
   */
  partitioned?: boolean;
  /**
   * Overrides for the cookie names. Keep them generic: a name should not reveal the library.
   * @default { session: '__Host-session', refresh: '__Secure-refresh', csrf: '__Host-csrf', guest: '__Host-guest' }
   */
  names?: Partial<CookieNames>;
  /**
   * The path of the refresh route; the refresh cookie is only sent there.
   * @default '/auth/refresh'
   */
  refreshPath?: string;
}

/** Cookie settings after validation and defaults; frozen. Built once by {@link resolveCookieConfig}. */
export interface ResolvedCookies {
  /** The final cookie names. */
  readonly names: Readonly<CookieNames>;
  /** The refresh cookie's `Path`. */
  readonly refreshPath: string;
  /** The attributes every auth cookie shares (`Path` aside). */
  readonly attributes: Readonly<CookieOptions>;
}

const SAME_SITE: ReadonlySet<unknown> = new Set(['lax', 'strict', 'none']);
const CONFIG_KEYS = {
  secure: true,
  sameSite: true,
  domain: true,
  partitioned: true,
  names: true,
  refreshPath: true,
} as const satisfies KnownOptions<CookieConfig>;
const NAME_RECORD = {
  session: true,
  refresh: true,
  csrf: true,
  guest: true,
} as const satisfies KnownOptions<CookieNames>;
const NAME_KEYS = Object.keys(NAME_RECORD) as (keyof CookieNames)[];
// RFC 6265 cookie-name (an RFC 7230 token): stricter than what the parser tolerates, on purpose.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;

/**
 * Validates a {@link CookieConfig} and applies the defaults. It never throws: every problem is
 * returned in `issues` (option paths relative to the cookie config), so the caller can report
 * them all in one `ConfigError`. `value` is usable only when `issues` is empty.
 *
 * @example
 * ```ts
 * const { value, issues } = resolveCookieConfig({ sameSite: 'strict' });
 * if (issues.length > 0) throw new ConfigError(issues);
 * ```
 */
export function resolveCookieConfig(config: CookieConfig = {}): {
  value: ResolvedCookies;
  issues: string[];
} {
  const issues: string[] = [];
  const input: CookieConfig = config !== null && typeof config === 'object' ? config : {};
  if (input !== config) issues.push('must be an object');
  issues.push(...unknownOptionIssues(input, CONFIG_KEYS));

  const secure = input.secure ?? true;
  if (typeof secure !== 'boolean') issues.push('secure: must be a boolean');
  const sameSite = input.sameSite ?? 'lax';
  if (!SAME_SITE.has(sameSite)) issues.push(`sameSite: must be 'lax', 'strict' or 'none'`);
  if (sameSite === 'none' && secure !== true) {
    issues.push(`sameSite: 'none' requires secure: true (browsers reject it otherwise)`);
  }
  const partitioned = input.partitioned ?? false;
  if (typeof partitioned !== 'boolean') issues.push('partitioned: must be a boolean');
  if (partitioned === true && secure !== true) {
    issues.push('partitioned: requires secure: true');
  }

  let domain: string | undefined;
  if (input.domain !== undefined) {
    // A leading dot is ignored by browsers; drop it so set and clear always agree.
    domain = typeof input.domain === 'string' ? input.domain.toLowerCase().replace(/^\./, '') : '';
    if (!DOMAIN.test(domain)) issues.push('domain: must be a host name such as example.com');
  }

  const refreshPath = input.refreshPath ?? '/auth/refresh';
  if (typeof refreshPath !== 'string' || !PATH.test(refreshPath)) {
    issues.push(`refreshPath: must be a URL path starting with '/'`);
  }

  const prefix = secure === false ? '' : domain === undefined ? '__Host-' : '__Secure-';
  const names: CookieNames = {
    session: `${prefix}session`,
    refresh: `${secure === false ? '' : '__Secure-'}refresh`,
    csrf: `${prefix}csrf`,
    guest: `${prefix}guest`,
    ...checkNameKeys(input.names, issues),
  };
  // Not String(): a value without a primitive form (a null-prototype object) would throw.
  const path = typeof refreshPath === 'string' ? refreshPath : '';
  const paths: CookieNames = { session: '/', refresh: path, csrf: '/', guest: '/' };
  for (const key of NAME_KEYS) {
    issues.push(...nameIssues(key, names[key], { secure, domain, path: paths[key] }));
  }
  if (new Set(NAME_KEYS.map((key) => names[key])).size !== NAME_KEYS.length) {
    issues.push('names: session, refresh, csrf and guest must be distinct');
  }

  const attributes: CookieOptions = { httpOnly: true, secure: secure === true, sameSite };
  if (domain !== undefined) attributes.domain = domain;
  if (partitioned === true) attributes.partitioned = true;
  return {
    value: Object.freeze({
      names: Object.freeze(names),
      refreshPath: path,
      attributes: Object.freeze(attributes),
    }),
    issues,
  };
}

function checkNameKeys(names: unknown, issues: string[]): Partial<CookieNames> {
  if (names === undefined) return {};
  if (names === null || typeof names !== 'object') {
    issues.push('names: must be an object');
    return {};
  }
  issues.push(...unknownOptionIssues(names, NAME_RECORD, { path: 'names' }));
  const picked: Partial<CookieNames> = {};
  for (const key of NAME_KEYS) {
    const name: unknown = (names as Partial<Record<string, unknown>>)[key];
    if (Object.hasOwn(names, key) && name !== undefined) picked[key] = name as string;
  }
  return picked;
}

function nameIssues(
  key: keyof CookieNames,
  name: unknown,
  scope: { secure: unknown; domain: string | undefined; path: string },
): string[] {
  const option = `names.${key}`;
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    return [`${option}: not a valid cookie name (RFC 6265 token characters only)`];
  }
  // Browsers match the prefixes case-insensitively (RFC 6265bis), so we do too.
  const lower = name.toLowerCase();
  const issues: string[] = [];
  if ((lower.startsWith('__host-') || lower.startsWith('__secure-')) && scope.secure !== true) {
    issues.push(`${option}: a __Host- or __Secure- name requires secure: true`);
  }
  if (lower.startsWith('__host-')) {
    if (scope.domain !== undefined) issues.push(`${option}: a __Host- name forbids a domain`);
    if (scope.path !== '/') issues.push(`${option}: a __Host- name requires Path=/`);
  }
  return issues;
}
