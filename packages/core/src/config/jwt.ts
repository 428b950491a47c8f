import { ConfigError } from '../errors.ts';
import { type AccessTokenConfig, validateCustomClaims } from '../jwt/access-token.ts';
import { createKeyring, type KeyInput, type Keyring } from '../jwt/keyring.ts';
import type { Session } from '../session.ts';
import type { JsonValue } from '../store.ts';
import type { Duration } from '../util/duration.ts';
import type { DurationReader } from './sessions.ts';

/** Access-token options. */
export interface JwtOptions {
  /** Signing and verification keys; the first signs. */
  keys: readonly KeyInput[];
  /** The `iss` claim written and required. */
  issuer: string;
  /** The `aud` claim written and required. */
  audience: string;
  /** Access-token lifetime. @default '15m' (or the preset's) */
  accessTokenTtl?: Duration;
  /** Tolerated clock skew between servers. @default '30s' */
  clockSkew?: Duration;
  /** Tokens longer than this are refused before any parsing. @default 4096 */
  maxTokenLength?: number;
  /** Names of the extra claims `claims` may add to access tokens; any other name is dropped. @default [] */
  customClaims?: readonly string[];
  /**
   * How many verified access tokens this process remembers, keyed by the exact token: a token
   * seen again skips parsing and the signature check until its `exp`. Entries hold claims and
   * expiry only; the deny-list and watermarks are still checked on every request. `0` turns the
   * cache off.
   * @default 10000
   */
  tokenCacheSize?: number;
  /**
   * Computes the extra claims of each access token from its session (called on create, refresh and
   * regenerate), for example `(s) => ({ role: s.data.role ?? 'user' })`.
   */
  claims?: (session: Session) => Record<string, JsonValue>;
}

/** The access-token configuration, validated; null when it cannot be used. */
export type ResolvedJwt = AccessTokenConfig & {
  keyring: Keyring;
  claims: ((session: Session) => Record<string, JsonValue>) | null;
  tokenCacheSize: number;
};

/** Validates `jwt` options (required unless the strategy is `database`), pushing every issue. */
export function resolveJwt(
  o: JwtOptions | undefined,
  required: string | null,
  presetTtl: Duration | undefined,
  duration: DurationReader,
  issues: string[],
): ResolvedJwt | null {
  if (!o) {
    if (required !== null)
      issues.push(`jwt: required for ${required} strategy (keys, issuer, audience)`);
    return null;
  }
  let keyring: Keyring | null = null;
  try {
    keyring = createKeyring(o.keys ?? []);
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues.map((i) => `jwt.keys: ${i}`));
    else throw error;
  }
  if (typeof o.issuer !== 'string' || o.issuer === '') issues.push('jwt.issuer: required');
  if (typeof o.audience !== 'string' || o.audience === '') issues.push('jwt.audience: required');
  const tokens: AccessTokenConfig = {
    issuer: o.issuer,
    audience: o.audience,
    lifetimeMs: duration(o.accessTokenTtl, 'jwt.accessTokenTtl', presetTtl ?? '15m'),
    clockSkewMs: duration(o.clockSkew, 'jwt.clockSkew', '30s'),
    maxTokenLength: o.maxTokenLength ?? 4096,
    // A non-array is left for validateCustomClaims to report (spreading it would throw).
    customClaims: Array.isArray(o.customClaims)
      ? [...o.customClaims]
      : ((o.customClaims ?? []) as string[]),
  };
  if (tokens.lifetimeMs < 1000 || tokens.lifetimeMs > 86_400_000) {
    issues.push('jwt.accessTokenTtl: must be between 1s and 24h');
  }
  if (tokens.clockSkewMs > 300_000) issues.push('jwt.clockSkew: must not exceed 5m');
  if (
    !Number.isInteger(tokens.maxTokenLength) ||
    tokens.maxTokenLength < 256 ||
    tokens.maxTokenLength > 65_536
  ) {
    issues.push('jwt.maxTokenLength: must be an integer from 256 to 65536');
  }
  issues.push(...validateCustomClaims(tokens.customClaims).map((i) => `jwt.customClaims: ${i}`));
  const tokenCacheSize = o.tokenCacheSize ?? 10_000;
  if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0 || tokenCacheSize > 1_000_000) {
    issues.push('jwt.tokenCacheSize: must be an integer from 0 to 1000000');
  }
  return keyring && { ...tokens, keyring, claims: o.claims ?? null, tokenCacheSize };
}
