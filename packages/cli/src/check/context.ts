import type { DescribedConfig, ResolvedCookies, ResolvedCsrf } from '@sess/core';
import type { Environment, EnvironmentConfig } from '../config/types.ts';
import type { Finding } from '../findings.ts';

/** Where an environment runs, with every default applied. */
export interface ResolvedDeployment {
  /** The app's origin: `deployment.origin`, else the first trusted origin; null when neither is given. */
  origin: URL | null;
  /** Served over https (assumed when the origin is unknown). */
  https: boolean;
  /** Served from a loopback host (local development). */
  local: boolean;
  crossSite: boolean;
  subdomains: boolean;
  browsers: boolean;
}

/** Everything a check rule looks at for one environment. */
export interface CheckContext {
  readonly env: Environment;
  readonly options: EnvironmentConfig['options'];
  /** What core made of the options (`describeConfig`); null when core refused them. */
  readonly described: DescribedConfig | null;
  /** The cookie settings after core's validation; null when core refused them. */
  readonly cookies: ResolvedCookies | null;
  /** The CSRF settings after core's validation; null when absent or refused. */
  readonly csrf: ResolvedCsrf | null;
  readonly deployment: ResolvedDeployment;
  /** The ASVS level timeouts are held against. */
  readonly level: 1 | 2 | 3;
}

/** A rule: the findings for one environment. */
export type Rule = (ctx: CheckContext) => Finding[];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for loopback host names (local development). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost');
}
