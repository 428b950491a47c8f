import { type Duration, parseDuration } from '@sess/core';
import { collector, type Finding, finding } from '../findings.ts';
import { formatDuration } from '../output.ts';
import { ASVS, asvs } from '../refs.ts';
import type { Rule } from './context.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Re-authentication limits per ASVS level, from NIST SP 800-63B (rev. 3) §4.1.3, §4.2.3, §4.3.3,
 * which ASVS 5.0 7.1.1 names as the baseline: AAL1 30 days; AAL2 12 h and 30 min idle; AAL3 12 h
 * and 15 min idle. Null: no limit at that level.
 */
export const LEVEL_LIMITS: Record<1 | 2 | 3, { idleMs: number | null; absoluteMs: number }> = {
  1: { idleMs: null, absoluteMs: 30 * DAY },
  2: { idleMs: 30 * MINUTE, absoluteMs: 12 * HOUR },
  3: { idleMs: 15 * MINUTE, absoluteMs: 12 * HOUR },
};

/** An option's duration in milliseconds, or `fallback`'s when it is absent or invalid. */
export function durationOr(value: unknown, fallback: Duration): number {
  return parseDuration(value ?? fallback) ?? (parseDuration(fallback) as number);
}

/** Idle and absolute timeouts of every session class against the ASVS level. */
export const timeoutRule: Rule = (ctx) => {
  const { env, described, level } = ctx;
  if (described === null) return [];
  const limits = LEVEL_LIMITS[level];
  const justified = ctx.env.config.policy?.justifications ?? {};
  const findings: Finding[] = [];
  for (const [name, cls] of Object.entries(described.sessions)) {
    const why = justified[name];
    const severity = why ? 'info' : 'warn';
    const reason = why
      ? ` (justified: ${why})`
      : '; shorten it or justify it in policy.justifications';
    if (limits.idleMs !== null && cls.idleTimeoutMs > limits.idleMs) {
      findings.push(
        finding(
          severity,
          'timeout-idle',
          env.name,
          `${name} sessions stay idle up to ${formatDuration(cls.idleTimeoutMs)}, above ${formatDuration(limits.idleMs)} for level ${level}${reason}`,
          {
            path: `sessions.${name}.idleTimeout`,
            ref: asvs(ASVS.idleTimeout),
          },
        ),
      );
    }
    if (cls.absoluteTimeoutMs > limits.absoluteMs) {
      findings.push(
        finding(
          severity,
          'timeout-absolute',
          env.name,
          `${name} sessions live up to ${formatDuration(cls.absoluteTimeoutMs)}, above ${formatDuration(limits.absoluteMs)} for level ${level}${reason}`,
          {
            path: `sessions.${name}.absoluteTimeout`,
            ref: asvs(ASVS.absoluteLifetime),
          },
        ),
      );
    }
    if (described.strategy === 'database' && cls.renewalIntervalMs === null) {
      findings.push(
        finding(
          'info',
          'timeout-renewal',
          env.name,
          `${name} sessions never rotate their credential: a stolen cookie works until the session ends`,
          {
            path: `sessions.${name}.renewalInterval`,
          },
        ),
      );
    }
  }
  return findings;
};

/** Access-token lifetime, revocation staleness and the refresh reuse window. */
export const tokenRule: Rule = (ctx) => {
  const { env, described } = ctx;
  const { findings, add } = collector();
  if (described === null) return findings;
  const reuseMs = described.refresh.reuseWindowMs;
  if (reuseMs > 30_000) {
    add(
      'warn',
      'refresh-reuse-window',
      env.name,
      `a stolen refresh token replayed within ${formatDuration(reuseMs)} of its rotation is not detected; keep the window at 30s or less`,
      {
        path: 'refresh.reuseWindow',
        ref: asvs(ASVS.refreshReplay),
      },
    );
  } else if (reuseMs === 0) {
    add(
      'info',
      'refresh-reuse-window',
      env.name,
      'no reuse window: a retried refresh (lost response, two tabs) revokes the session as theft',
      {
        path: 'refresh.reuseWindow',
      },
    );
  }
  if (described.jwt === null) return findings;
  const ttl = described.jwt.accessTokenTtlMs;
  if (ttl > 15 * MINUTE) {
    add(
      ttl > HOUR ? 'warn' : 'info',
      'access-token-ttl',
      env.name,
      `access tokens live ${formatDuration(ttl)}; revocation reaches them only through the deny-list, so keep them short (15m)`,
      {
        path: 'jwt.accessTokenTtl',
        ref: asvs(ASVS.tokenValidity),
      },
    );
  }
  const stalenessMs = described.revocation.stalenessMs;
  if (stalenessMs > 30_000) {
    add(
      'warn',
      'revocation-staleness',
      env.name,
      `with a store that cannot broadcast, a revoked token keeps working on other instances for up to ${formatDuration(stalenessMs)}`,
      {
        path: 'revocation.staleness',
        ref: asvs(ASVS.termination),
      },
    );
  }
  return findings;
};
