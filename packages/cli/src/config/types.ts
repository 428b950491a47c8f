import type { Duration, SessionManagerOptions } from '@sess/core';

/** Facts about where an environment runs, which `sess check` holds the cookie and CSRF options against. */
export interface Deployment {
  /**
   * The origin browsers load the app from, `https://app.example.com`.
   * @default the first `csrf.trustedOrigins` entry
   */
  origin?: string;
  /** The app is used from another site (embedded in a third-party iframe, or an API called cross-site with cookies). @default false */
  crossSite?: boolean;
  /** Subdomains must share the session (cookies with a `Domain`). @default false */
  subdomains?: boolean;
  /** Browsers talk to this server (so cookies and CSRF protection matter). @default true */
  browsers?: boolean;
}

/** A rate limit as given to rate-limiter-flexible: `points` attempts per `duration` and key. */
export interface RateLimit {
  points: number;
  duration: Duration;
}

/** What the session policy document (ASVS 5.0 7.1.1, 7.1.2) states besides the timeouts. */
export interface PolicyInput {
  /** The ASVS level the timeouts are held against. @default 2 */
  level?: 1 | 2 | 3;
  /** Why a session class deviates from the level's timeouts, by class name; turns the warning into an info. */
  justifications?: Record<string, string>;
  /** What happens when a user reaches `maxSessionsPerUser`, in the words of the policy. */
  concurrentSessions?: string;
}

/** One environment of a config file. */
export interface EnvironmentConfig {
  /** What the app passes to `createSessionManager`, without `store`. */
  options: Omit<SessionManagerOptions, 'store'> & { store?: unknown };
  deployment?: Deployment;
  /** The limits the app gives its login and refresh routes. */
  rateLimits?: { login?: RateLimit; refresh?: RateLimit };
  policy?: PolicyInput;
}

/** A loaded environment: its name, the file it came from and its config. */
export interface Environment {
  readonly name: string;
  readonly file: string;
  readonly config: EnvironmentConfig;
}
