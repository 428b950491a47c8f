import { type CsrfOptions, resolveCookieConfig, resolveCsrfConfig } from '@sess/core';
import type { Environment } from '../config/types.ts';
import { type Finding, finding } from '../findings.ts';
import { type CheckContext, isLoopback, type ResolvedDeployment, type Rule } from './context.ts';
import { cookieRule, csrfRule, deploymentRule } from './cookies.ts';
import { describe } from './describe.ts';
import { keyRule } from './keys.ts';
import { limitRule } from './limits.ts';
import { secretReuse, secretRotation, secretStrength } from './secrets.ts';
import { timeoutRule, tokenRule } from './timeouts.ts';

const RULES: readonly Rule[] = [
  secretStrength,
  secretRotation,
  deploymentRule,
  cookieRule,
  csrfRule,
  timeoutRule,
  tokenRule,
  keyRule,
  limitRule,
];

/** What `check` found, with the context of each environment (for the policy document). */
export interface CheckResult {
  findings: Finding[];
  contexts: CheckContext[];
}

/**
 * Checks every environment: core's validation first (each issue an error), then every rule, then
 * secrets reused across environments. `level` overrides each environment's `policy.level`.
 */
export async function runCheck(
  environments: readonly Environment[],
  level?: 1 | 2 | 3,
): Promise<CheckResult> {
  const findings: Finding[] = [];
  const contexts: CheckContext[] = [];
  for (const env of environments) {
    const { store, ...options } = env.config.options;
    if (store !== undefined) {
      findings.push(
        finding(
          'info',
          'config-store',
          env.name,
          'options.store is ignored (check uses a memory store); export the options without it',
          {
            path: 'store',
          },
        ),
      );
      await (store as { close?: () => Promise<void> })?.close?.();
    }
    const described = await describe(env.name, options);
    findings.push(...described.findings);
    const cookies = resolveCookieConfig(options.cookies ?? {});
    const csrf = options.csrf === undefined ? null : resolveCsrfConfig(options.csrf);
    const ctx: CheckContext = {
      env,
      options,
      described: described.described,
      cookies: cookies.issues.length === 0 ? cookies.value : null,
      csrf: csrf && csrf.issues.length === 0 ? csrf.value : null,
      deployment: deploymentOf(env, options.csrf),
      level: level ?? env.config.policy?.level ?? 2,
    };
    contexts.push(ctx);
    for (const rule of RULES) findings.push(...rule(ctx));
  }
  findings.push(...secretReuse(environments));
  return { findings, contexts };
}

function deploymentOf(env: Environment, csrf: CsrfOptions | undefined): ResolvedDeployment {
  const d = env.config.deployment ?? {};
  const text = d.origin ?? csrf?.trustedOrigins?.[0];
  let origin: URL | null = null;
  try {
    origin = typeof text === 'string' ? new URL(text) : null;
  } catch {
    origin = null;
  }
  return {
    origin,
    https: origin === null || origin.protocol === 'https:',
    local: origin !== null && isLoopback(origin),
    crossSite: d.crossSite === true,
    subdomains: d.subdomains === true,
    browsers: d.browsers !== false,
  };
}
