import { createHash } from 'node:crypto';
import { estimateSecretStrength } from '@sess/core';
import type { Environment } from '../config/types.ts';
import { type Finding, finding } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';
import type { Rule } from './context.ts';

interface SecretUse {
  env: string;
  path: string;
  /** SHA-256 of the value: values are compared, never kept or shown. */
  digest: string;
}

type Value = string | Uint8Array;

/** The secret values of an environment (server secrets, HS256 keys, private keys) by option path. */
function secretValues(env: Environment): { path: string; value: Value }[] {
  const { secret, jwt } = env.config.options;
  const found: { path: string; value: Value }[] = [];
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? secret : [];
  list.forEach((value, i) => {
    if (typeof value === 'string')
      found.push({ path: list.length > 1 ? `secret[${i}]` : 'secret', value });
  });
  (Array.isArray(jwt?.keys) ? jwt.keys : []).forEach((key, i) => {
    const at = `jwt.keys[${i}]`;
    if (key?.alg === 'HS256') {
      if (typeof key.secret === 'string' || key.secret instanceof Uint8Array) {
        found.push({ path: `${at}.secret`, value: key.secret });
      }
    } else if (typeof key?.privateKey === 'string') {
      found.push({ path: `${at}.privateKey`, value: key.privateKey.trim() });
    } else if (typeof (key?.privateKey as { d?: unknown } | undefined)?.d === 'string') {
      found.push({ path: `${at}.privateKey`, value: (key.privateKey as { d: string }).d });
    }
  });
  return found;
}

const digest = (value: Value): string => createHash('sha256').update(value).digest('hex');

/**
 * Secrets a person made up (words, names, dates, keyboard patterns), by core's own estimator
 * (zxcvbn): core refuses them at startup, so each is an error, with the fix.
 */
export const secretStrength: Rule = ({ env }) =>
  secretValues(env)
    .filter((s) => typeof s.value === 'string' && !s.path.endsWith('privateKey'))
    .filter((s) => Buffer.byteLength(s.value as string) >= 32)
    .filter((s) => estimateSecretStrength(s.value as string).guessable)
    .map((s) =>
      finding(
        'error',
        'secret-weak',
        env.name,
        `looks made up by a person (words, names, dates or patterns), so core refuses it; use 32 random bytes, for example from \`sess keygen --alg HS256\``,
        { path: s.path, ref: asvs(ASVS.cryptoStrength) },
      ),
    );

/** Server secrets with rotation in progress: a reminder of when old ones can go. */
export const secretRotation: Rule = ({ env }) => {
  const { secret } = env.config.options;
  if (!Array.isArray(secret) || secret.length < 2) return [];
  return [
    finding(
      'info',
      'secret-rotation',
      env.name,
      `${secret.length} server secrets: the first is current; drop the others once the refresh reuse window has passed and pages have fetched new CSRF tokens`,
      { path: 'secret' },
    ),
  ];
};

/**
 * The same secret or key in two environments (an error: a leak of the weaker environment opens
 * the other), or in two roles of one environment (a warning).
 */
export function secretReuse(environments: readonly Environment[]): Finding[] {
  const groups = new Map<string, SecretUse[]>();
  for (const env of environments) {
    for (const { path, value } of secretValues(env)) {
      const d = digest(value);
      groups.set(d, [...(groups.get(d) ?? []), { env: env.name, path, digest: d }]);
    }
  }
  const findings: Finding[] = [];
  for (const uses of groups.values()) {
    for (const use of uses) {
      const elsewhere = uses.filter((u) => u.env !== use.env);
      const here = uses.filter((u) => u.env === use.env && u.path !== use.path);
      if (elsewhere.length > 0) {
        const where = elsewhere.map((u) => `${u.env} (${u.path})`).join(', ');
        findings.push(
          finding(
            'error',
            'secret-reused',
            use.env,
            `the same value is used by ${where}; give every environment its own`,
            {
              path: use.path,
              ref: asvs(ASVS.secretManagement),
            },
          ),
        );
      }
      // Reported once, on the first path of the group.
      if (here.length > 0 && here.every((u) => u.path > use.path)) {
        findings.push(
          finding(
            'warn',
            'secret-shared',
            use.env,
            `the same value is also ${here.map((u) => u.path).join(', ')}; use one secret per purpose`,
            {
              path: use.path,
              ref: asvs(ASVS.secretManagement),
            },
          ),
        );
      }
    }
  }
  return findings;
}
