import { type Finding, finding, type Severity } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';
import type { CookieAttributes } from './set-cookie.ts';

/** How the probed app is served. */
export interface Target {
  https: boolean;
  /** A loopback host: plain HTTP is development, so some errors are only warnings. */
  local: boolean;
}

/** One response the probe looked at. */
export interface ProbedResponse {
  /** `GET /path`, used as the subject of header findings. */
  label: string;
  status: number;
  headers: Headers;
  cookies: CookieAttributes[];
}

const ONE_YEAR = 31_536_000;

/** A cookie's attributes against the secure defaults (ASVS 5.0 3.3). */
export function cookieFindings(cookie: CookieAttributes, target: Target): Finding[] {
  const findings: Finding[] = [];
  const subject = `cookie ${cookie.name || '(no name)'}`;
  const add = (severity: Severity, id: string, message: string, ref?: string) =>
    findings.push(finding(severity, id, subject, message, ref ? { ref } : {}));
  const lower = cookie.name.toLowerCase();
  const host = lower.startsWith('__host-');

  if (!cookie.secure) {
    add(
      target.local && !target.https ? 'warn' : 'error',
      'cookie-secure',
      'no Secure attribute: the browser sends it over plain HTTP',
      asvs(ASVS.cookieSecure),
    );
  }
  if (!host && !lower.startsWith('__secure-')) {
    add(
      'warn',
      'cookie-prefix',
      'no __Host- or __Secure- prefix, so a subdomain or a plain-HTTP page can plant a cookie with this name',
      asvs(ASVS.cookieSecure),
    );
  }
  if (host && (cookie.domain !== null || cookie.path !== '/' || !cookie.secure)) {
    add(
      'error',
      'cookie-host-prefix',
      'a __Host- cookie needs Secure, Path=/ and no Domain; browsers drop this one',
      asvs(ASVS.cookieHostPrefix),
    );
  }
  if (lower.startsWith('__secure-') && !cookie.secure) {
    add(
      'error',
      'cookie-secure-prefix',
      'a __Secure- cookie without Secure is dropped by browsers',
      asvs(ASVS.cookieSecure),
    );
  }
  if (!cookie.httpOnly) {
    add(
      'warn',
      'cookie-httponly',
      'no HttpOnly: page scripts can read it; set it unless scripts must',
      asvs(ASVS.cookieHttpOnly),
    );
  }
  if (cookie.sameSite === null) {
    add(
      'warn',
      'cookie-samesite',
      'no SameSite attribute: browsers differ on the default; set Lax or Strict',
      asvs(ASVS.cookieSameSite),
    );
  } else if (cookie.sameSite === 'none') {
    add(
      cookie.secure ? 'warn' : 'error',
      'cookie-samesite',
      cookie.secure
        ? 'SameSite=None: sent on every cross-site request; use it only for embedded, cross-site use'
        : 'SameSite=None without Secure is rejected by browsers',
      asvs(ASVS.cookieSameSite),
    );
  }
  if (cookie.domain !== null && !host) {
    add(
      'warn',
      'cookie-domain',
      `Domain=${cookie.domain}: every subdomain receives it and can overwrite it`,
      asvs(ASVS.cookieHostPrefix),
    );
  }
  if (cookie.size > 4096) {
    add(
      'error',
      'cookie-size',
      `${cookie.size} bytes: browsers drop cookies over 4096`,
      asvs(ASVS.cookieSize),
    );
  }
  if (
    (cookie.maxAge !== null && cookie.maxAge > 0) ||
    (cookie.maxAge === null && cookie.expires !== null)
  ) {
    add(
      'info',
      'cookie-persistent',
      `persists across browser restarts${cookie.maxAge ? ` (Max-Age ${cookie.maxAge}s)` : ''}`,
    );
  }
  return findings;
}

/** A response's security headers against the secure defaults (ASVS 5.0 3.4, 14.3.2). */
export function headerFindings(res: ProbedResponse, target: Target): Finding[] {
  const findings: Finding[] = [];
  const add = (severity: Severity, id: string, message: string, ref?: string) =>
    findings.push(finding(severity, id, res.label, message, ref ? { ref } : {}));
  const get = (name: string) => res.headers.get(name)?.toLowerCase() ?? null;

  const cacheControl = get('cache-control');
  if (res.cookies.length > 0 && !cacheControl?.split(',').some((d) => d.trim() === 'no-store')) {
    add(
      'error',
      'no-store',
      'sets cookies without Cache-Control: no-store, so a cache may keep and replay them',
      asvs(ASVS.noStore),
    );
  }
  const hsts = get('strict-transport-security');
  if (!target.https) {
    add(
      target.local ? 'info' : 'error',
      'hsts',
      target.local
        ? 'plain HTTP on loopback (development): HSTS does not apply, and a missing Secure is only a warning'
        : 'served over plain HTTP: credentials cross the network in clear',
      asvs(target.local ? ASVS.hsts : ASVS.tls),
    );
  } else if (hsts === null) {
    add('error', 'hsts', 'no Strict-Transport-Security header', asvs(ASVS.hsts));
  } else {
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
    if (maxAge < ONE_YEAR)
      add(
        'warn',
        'hsts',
        `HSTS max-age is ${maxAge}s; use at least one year (${ONE_YEAR})`,
        asvs(ASVS.hsts),
      );
    if (!hsts.includes('includesubdomains'))
      add('info', 'hsts', 'HSTS without includeSubDomains', asvs(ASVS.hsts));
  }
  const csp = get('content-security-policy');
  const frameAncestors = csp?.includes('frame-ancestors') === true;
  if (csp === null) add('warn', 'csp', 'no Content-Security-Policy header', asvs(ASVS.csp));
  if (!frameAncestors) {
    const xfo = get('x-frame-options');
    add(
      xfo === 'deny' || xfo === 'sameorigin' ? 'info' : 'warn',
      'frame-ancestors',
      xfo
        ? `X-Frame-Options ${xfo} but no CSP frame-ancestors, which supersedes it`
        : 'no CSP frame-ancestors (nor X-Frame-Options): any site can frame this page',
      asvs(ASVS.frameAncestors),
    );
  }
  if (get('x-content-type-options') !== 'nosniff') {
    add('warn', 'nosniff', 'no X-Content-Type-Options: nosniff', asvs(ASVS.nosniff));
  }
  const referrer = get('referrer-policy');
  if (referrer === null) {
    add(
      'warn',
      'referrer-policy',
      'no Referrer-Policy header: full URLs may leak to other sites',
      asvs(ASVS.referrerPolicy),
    );
  } else if (referrer.includes('unsafe-url') || referrer.includes('no-referrer-when-downgrade')) {
    add(
      'warn',
      'referrer-policy',
      `Referrer-Policy ${referrer} sends full URLs to other sites`,
      asvs(ASVS.referrerPolicy),
    );
  }
  return findings;
}
