import type { CsrfFailureReason } from '../errors.ts';
import type { RequestLike } from '../request.ts';

/** Options of {@link checkFetchMetadata}. */
export interface FetchMetadataOptions {
  /**
   * Accept `Sec-Fetch-Site: same-site`, a request from another subdomain of the same registrable
   * domain. Off by default: subdomains are a classic attack source (a forgotten marketing site, a
   * user-content host, a subdomain takeover). Enable it only when every sibling subdomain is as
   * trusted as this app; the Origin check still applies.
   * @default false
   */
  allowSameSite?: boolean;
}

/**
 * Checks the `Sec-Fetch-Site` header that browsers attach to every request. `cross-site` is
 * refused; `same-origin` and `none` (the user typed the URL or used a bookmark) pass; `same-site`
 * passes only with `allowSameSite`; an unknown value is refused (fail closed). A request without the
 * header (an older browser, a non-browser client) passes this check and relies on the Origin check
 * and the token.
 *
 * @returns `null` when the request passes, or the reason it fails (`'cross-site'`, or `'same-site'` when
 *   same-site requests are not allowed).
 */
export function checkFetchMetadata(
  req: RequestLike,
  options: FetchMetadataOptions = {},
): CsrfFailureReason | null {
  const site = req.headers.get('sec-fetch-site');
  if (site === null) return null;
  switch (site.trim().toLowerCase()) {
    case 'same-origin':
    case 'none':
      return null;
    case 'same-site':
      return options.allowSameSite === true ? null : 'same-site';
    default:
      return 'cross-site';
  }
}
