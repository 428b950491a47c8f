import { collector } from '../findings.ts';
import { formatDuration } from '../output.ts';
import { ASVS, asvs } from '../refs.ts';
import type { Rule } from './context.ts';

/** The access-token keyring: algorithms, and the overlap rotation needs. */
export const keyRule: Rule = ({ env, options, described }) => {
  const jwt = described?.jwt;
  if (!jwt) return [];
  const { keys } = jwt;
  const { findings, add } = collector();
  const algs = new Set(keys.map((k) => k.alg));
  if (algs.has('HS256') && algs.size > 1) {
    add(
      'warn',
      'keys-mixed',
      env.name,
      'the keyring mixes HS256 with asymmetric keys; keep to one kind so no key can be confused for another',
      {
        path: 'jwt.keys',
        ref: asvs(ASVS.tokenAlgorithms),
      },
    );
  } else if (algs.has('HS256')) {
    add(
      'info',
      'keys-symmetric',
      env.name,
      'HS256: every service that verifies tokens can also mint them, and no JWKS is published; prefer EdDSA or ES256 when other services verify',
      {
        path: 'jwt.keys',
        ref: asvs(ASVS.tokenKeySources),
      },
    );
  }
  if (algs.has('RS256')) {
    add(
      'info',
      'keys-rs256',
      env.name,
      'RS256 tokens are larger and slower to sign than EdDSA or ES256; keep it only for verifiers that need it',
      {
        path: 'jwt.keys',
      },
    );
  }
  const overlapMs = jwt.accessTokenTtlMs + jwt.clockSkewMs;
  const [current, ...previous] = keys;
  add(
    'info',
    'keys-overlap',
    env.name,
    previous.length === 0
      ? `one key (${current!.kid}); to rotate, deploy the new key second, then first once every instance has it, and keep this one verify-only for at least ${formatDuration(overlapMs)} (docs/operations.md)`
      : `${current!.kid} signs; ${previous.map((k) => k.kid).join(', ')} verify only: keep each for at least ${formatDuration(overlapMs)} after it stopped signing`,
    {
      path: 'jwt.keys',
    },
  );
  (options.jwt?.keys ?? []).forEach((key, i) => {
    if (i > 0 && key.alg !== 'HS256' && key.privateKey !== undefined) {
      add(
        'warn',
        'keys-retired-private',
        env.name,
        `${key.kid} only verifies but still holds its private key; keep the publicKey alone`,
        {
          path: `jwt.keys[${i}].privateKey`,
          ref: asvs(ASVS.secretManagement),
        },
      );
    }
  });
  return findings;
};
