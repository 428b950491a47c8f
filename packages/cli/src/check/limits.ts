import { collector } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';
import type { Rule } from './context.ts';
import { durationOr } from './timeouts.ts';

/** Login attempts per 15 minutes and key above which a login limit is reported as lax. */
export const MAX_LOGIN_ATTEMPTS_PER_15M = 30;

/** Login and refresh rate limits, and the concurrent-session limit. */
export const limitRule: Rule = ({ env, options }) => {
  const { findings, add } = collector();
  const { login, refresh } = env.config.rateLimits ?? {};
  if (!login) {
    add(
      'warn',
      'rate-limit-login',
      env.name,
      'no login rate limit declared: password guessing is unthrottled',
      {
        path: 'rateLimits.login',
        ref: asvs(ASVS.bruteForce),
      },
    );
  } else {
    const per15m = (login.points / Math.max(durationOr(login.duration, '1s'), 1_000)) * 900_000;
    if (!(per15m <= MAX_LOGIN_ATTEMPTS_PER_15M)) {
      add(
        'warn',
        'rate-limit-login',
        env.name,
        `the login limit allows ${Math.round(per15m)} attempts per 15 minutes; keep it at ${MAX_LOGIN_ATTEMPTS_PER_15M} or fewer`,
        {
          path: 'rateLimits.login',
          ref: asvs(ASVS.bruteForce),
        },
      );
    }
  }
  if (!refresh) {
    add('info', 'rate-limit-refresh', env.name, 'no refresh rate limit declared', {
      path: 'rateLimits.refresh',
    });
  }
  if (!options.maxSessionsPerUser) {
    add(
      'info',
      'max-sessions',
      env.name,
      'no maxSessionsPerUser: a user may hold any number of sessions; say so in the policy',
      {
        path: 'maxSessionsPerUser',
        ref: asvs(ASVS.concurrentSessions),
      },
    );
  }
  return findings;
};
