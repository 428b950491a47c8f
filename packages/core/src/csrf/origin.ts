import type { CsrfFailureReason } from '../errors.ts';
import type { RequestLike } from '../request.ts';

/** Options of {@link checkOrigin}. */
export interface OriginCheckOptions {
  /**
   * Accept an unsafe request that carries neither `Origin` nor `Referer`. Browsers send `Origin`
   * on every cross-origin and (in current versions) same-origin `POST`, so only non-browser
   * clients omit both; enable this only if such clients use cookies and you accept relying on the
   * token alone for them.
   * @default false
   */
  allowMissingOrigin?: boolean;
}

// Spaces and control characters: the URL parser would silently strip or drop them.
const CONTROL = /[^\x21-\x7e\u0080-\uffff]/;
// What a real host looks like once parsed: the URL parser tolerates `*` and friends, so a
// would-be wildcard such as `https://*.example.com` is refused rather than kept as a literal.
const HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/;

/**
 * Normalises an origin through the WHATWG URL parser: lower-case scheme and host, IDN to
 * punycode, default port elided, one trailing `/` tolerated. Anything else (a path, query,
 * fragment, credentials, a scheme other than http/https, `null`) yields `null`.
 *
 * @example
 * ```ts
 * normalizeOrigin('HTTPS://App.Example.com:443/'); // 'https://app.example.com'
 * normalizeOrigin('https://app.example.com/login'); // null
 * ```
 */
export function normalizeOrigin(value: string): string | null {
  const url = parseHttpUrl(value);
  if (url === null || /[?#]/.test(value)) return null;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/') return null;
  return HOST.test(url.hostname) ? url.origin : null;
}

/**
 * Checks that an unsafe request comes from a trusted origin. `Origin` must equal one of
 * `trustedOrigins` exactly after normalisation (scheme, host and port; never a suffix, substring
 * or pattern match), and `Origin: null` (sandboxed frames, some redirects) is always refused.
 * Without `Origin`, the origin of `Referer` is used; with neither, the request is refused unless
 * `allowMissingOrigin` is set.
 *
 * Standalone form: it normalises `trustedOrigins` on every call. {@link createCsrfProtection}
 * validates and normalises them once instead.
 *
 * @returns `null` when the request passes, or `'origin-null'`, `'origin-untrusted'` (including a
 *   malformed header) or `'origin-missing'`.
 * @example
 * ```ts
 * checkOrigin(request, ['https://app.example.com']); // null, or why it failed
 * ```
 */
export function checkOrigin(
  req: RequestLike,
  trustedOrigins: Iterable<string>,
  options: OriginCheckOptions = {},
): CsrfFailureReason | null {
  const trusted = new Set<string>();
  for (const origin of trustedOrigins) {
    const normalized = typeof origin === 'string' ? normalizeOrigin(origin) : null;
    if (normalized !== null) trusted.add(normalized);
  }
  return matchOrigin(req, trusted, options.allowMissingOrigin === true);
}

/** {@link checkOrigin} against origins already normalised by {@link normalizeOrigin}. */
export function matchOrigin(
  req: RequestLike,
  trusted: ReadonlySet<string>,
  allowMissing: boolean,
): CsrfFailureReason | null {
  const origin = req.headers.get('origin');
  if (origin !== null) {
    if (origin.trim() === 'null') return 'origin-null';
    // Browsers send the serialised origin, which is already canonical: skip the URL parser then.
    if (trusted.has(origin)) return null;
    const normalized = normalizeOrigin(origin);
    return normalized !== null && trusted.has(normalized) ? null : 'origin-untrusted';
  }
  const referer = req.headers.get('referer');
  if (referer !== null) {
    const url = parseHttpUrl(referer);
    return url !== null && trusted.has(url.origin) ? null : 'origin-untrusted';
  }
  return allowMissing ? null : 'origin-missing';
}

function parseHttpUrl(value: string): URL | null {
  if (value.length > 4096 || CONTROL.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}
