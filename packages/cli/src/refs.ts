/**
 * The OWASP ASVS 5.0 requirements findings point to (checked against the 5.0.0 text). Findings
 * carry the reference as `ASVS 5.0 <number>`.
 */
export const ASVS = {
  timeoutsDocumented: '7.1.1',
  concurrentSessions: '7.1.2',
  idleTimeout: '7.3.1',
  absoluteLifetime: '7.3.2',
  termination: '7.4.1',
  cookieSecure: '3.3.1',
  cookieSameSite: '3.3.2',
  cookieHostPrefix: '3.3.3',
  cookieHttpOnly: '3.3.4',
  cookieSize: '3.3.5',
  hsts: '3.4.1',
  csp: '3.4.3',
  nosniff: '3.4.4',
  referrerPolicy: '3.4.5',
  frameAncestors: '3.4.6',
  csrf: '3.5.1',
  bruteForce: '6.3.1',
  tokenAlgorithms: '9.1.2',
  tokenKeySources: '9.1.3',
  tokenValidity: '9.2.1',
  refreshReplay: '10.4.5',
  cryptoStrength: '11.2.3',
  tls: '12.2.1',
  secretManagement: '13.3.1',
  noStore: '14.3.2',
} as const;

/** The printable reference of an {@link ASVS} item, for example `ASVS 5.0 7.3.1`. */
export function asvs(item: (typeof ASVS)[keyof typeof ASVS]): string {
  return `ASVS 5.0 ${item}`;
}
