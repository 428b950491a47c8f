import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { ConfigError, ExpiredError, InvalidCredentialError, type SessError } from '../errors.ts';
import type { JsonValue } from '../store.ts';
import { randomToken } from '../util/crypto.ts';
import { type Keyring, keyringState } from './keyring.ts';
import { precheckAccessToken } from './precheck.ts';

/** How access tokens are issued and checked (validated by the session manager's configuration). */
export interface AccessTokenConfig {
  /** The `iss` claim written and required, for example `'https://auth.example.com'`. */
  issuer: string;
  /** The `aud` claim written and required (a single string; arrays are refused). */
  audience: string;
  /** Lifetime of a token in milliseconds (whole seconds are used), 1 s to 24 h. @default 900_000 (15 min) */
  lifetimeMs: number;
  /** Tolerated clock difference between issuer and verifier, 0 to 5 min. @default 30_000 */
  clockSkewMs: number;
  /** Longer tokens are refused before any parsing, and never issued. @default 4096 */
  maxTokenLength: number;
  /**
   * Names of the application's own claims: the only extra claims signed, and the only ones
   * returned by verification. Registered and sess claim names are refused. @default []
   */
  customClaims: readonly string[];
}

/**
 * The verified claims of an access token: a prototype-free object holding exactly the registered
 * claims below and the declared custom claims present in the token. `iat` and `exp` are JWT
 * NumericDates (epoch **seconds**).
 */
export interface AccessClaims {
  readonly iss: string;
  readonly aud: string;
  /** The user id. */
  readonly sub: string;
  /** The session id (public handle) this token belongs to. */
  readonly sid: string;
  /** A unique token id (128 random bits), the deny-list key. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  /** A declared custom claim, or `auth_time` (OpenID Connect: when the user last authenticated, epoch seconds). */
  readonly [custom: string]: JsonValue;
}

/** What {@link signAccessToken} signs. */
export interface AccessTokenInput {
  /** The user id. */
  sub: string;
  /** The session id (public handle). */
  sid: string;
  /** Issue time, epoch milliseconds (from the injected clock). */
  now: number;
  /** When the user last authenticated, epoch milliseconds; signed as `auth_time` (seconds). */
  authTime?: number;
  /** Values of custom claims; only names declared in `customClaims` are signed, others dropped. */
  claims?: Record<string, JsonValue | undefined>;
}

const RESERVED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'sid',
  'cnf',
  'auth_time',
]);
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const CLAIM_NAME = /^[\x21-\x7e]{1,256}$/;
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti', 'sid'];
const REGISTERED_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'auth_time'];

/**
 * Problems with a list of custom claim names, one line each (empty when valid): registered JWT
 * claims, sess's own (`sid`), `cnf`, prototype-polluting names, non-printable names, duplicates.
 */
export function validateCustomClaims(names: readonly string[]): string[] {
  if (!Array.isArray(names)) return ['customClaims must be an array of claim names'];
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const shown = JSON.stringify(String(name).slice(0, 64));
    if (typeof name !== 'string' || !CLAIM_NAME.test(name)) {
      issues.push(`${shown} must be 1-256 printable ASCII characters`);
    } else if (RESERVED.has(name) || UNSAFE_NAMES.has(name)) {
      issues.push(`${shown} is reserved`);
    } else if (seen.has(name)) {
      issues.push(`${shown} is listed twice`);
    }
    seen.add(name);
  }
  return issues;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Signs an access token with the keyring's current key. Header `{ alg, kid, typ: 'at+jwt' }`;
 * claims `iss`, `aud`, `sub`, `sid`, a fresh random `jti`, `iat`, `exp`, and the declared custom
 * claims given in `input.claims` (any other name there is dropped, never signed).
 *
 * @returns the token, its `jti` (for deny-listing) and its expiry in epoch milliseconds.
 * @throws ConfigError when the token would exceed `maxTokenLength` (it could never be verified).
 * @example
 * ```ts
 * const { token, exp } = await signAccessToken(keyring, config, { sub: user.id, sid: session.id, now: clock.now() });
 * ```
 */
export async function signAccessToken(
  keyring: Keyring,
  config: AccessTokenConfig,
  input: AccessTokenInput,
): Promise<{ token: string; jti: string; exp: number }> {
  const { sub, sid, now, authTime, claims = {} } = input;
  if (!isNonEmptyString(sub) || !isNonEmptyString(sid) || !Number.isFinite(now)) {
    throw new TypeError('signAccessToken: sub and sid must be non-empty strings, now epoch ms');
  }
  const state = keyringState(keyring);
  const key = (await state.load()).get(state.currentKid)!;
  const jti = randomToken(16);
  const iat = Math.floor(now / 1000);
  // Whole seconds below the configured lifetime, so exp - iat never exceeds what verify allows.
  const exp = iat + Math.floor(config.lifetimeMs / 1000);
  const payload: JWTPayload = { iss: config.issuer, aud: config.audience, sub, sid, jti, iat, exp };
  if (authTime !== undefined) payload.auth_time = Math.floor(authTime / 1000);
  for (const name of config.customClaims) {
    if (Object.hasOwn(claims, name) && claims[name] !== undefined) payload[name] = claims[name];
  }
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .sign(key.signKey!);
  if (token.length > config.maxTokenLength) {
    throw new ConfigError([
      `access token is ${token.length} characters; maxTokenLength is ${config.maxTokenLength}`,
    ]);
  }
  return { token, jti, exp: exp * 1000 };
}

/**
 * Verifies an access token at `now` (epoch ms): structural precheck, then the signature with the
 * key named by `kid` under that key's algorithm only (never the header's choice), then `typ`,
 * `iss`, `aud`, required claims, `exp`/`iat` with `clockSkewMs` of tolerance, and a lifetime no
 * longer than configured.
 *
 * @returns the claims as a prototype-free object (see {@link AccessClaims}).
 * @throws ExpiredError (`limit: 'token'`) once expired; InvalidCredentialError with reason
 *   `malformed`, `type`, `signature` or `claims` otherwise (jose's error kept as `cause`).
 */
export async function verifyAccessToken(
  keyring: Keyring,
  config: AccessTokenConfig,
  token: string,
  now: number,
): Promise<AccessClaims> {
  if (!Number.isFinite(now)) throw new TypeError('verifyAccessToken: now must be epoch ms');
  const state = keyringState(keyring);
  const { kid, alg } = precheckAccessToken(token, {
    maxLength: config.maxTokenLength,
    algOf: state.algOf,
  });
  const key = (await state.load()).get(kid)!;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.verifyKey, {
      algorithms: [alg],
      issuer: config.issuer,
      audience: config.audience,
      typ: 'at+jwt',
      requiredClaims: REQUIRED_CLAIMS,
      maxTokenAge: (config.lifetimeMs + config.clockSkewMs) / 1000,
      clockTolerance: config.clockSkewMs / 1000,
      currentDate: new Date(now),
    }));
  } catch (error) {
    throw joseFailure(error);
  }
  return claimsOf(payload, config, now);
}

function joseFailure(error: unknown): SessError {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'ERR_JWT_EXPIRED':
      return new ExpiredError('token');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new InvalidCredentialError('signature', { cause: error });
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new InvalidCredentialError(
        (error as { claim?: string }).claim === 'typ' ? 'type' : 'claims',
        {
          cause: error,
        },
      );
    default:
      return new InvalidCredentialError('malformed', { cause: error });
  }
}

/** Checks jose leaves to the caller, then copies only known claims: never the payload itself. */
function claimsOf(payload: JWTPayload, config: AccessTokenConfig, now: number): AccessClaims {
  const { iss, aud, sub, sid, jti, iat, exp } = payload as Record<string, unknown>;
  const skew = config.clockSkewMs;
  if (
    iss !== config.issuer ||
    aud !== config.audience ||
    !isNonEmptyString(sub) ||
    !isNonEmptyString(sid) ||
    !isNonEmptyString(jti) ||
    !Number.isSafeInteger(iat) ||
    !Number.isSafeInteger(exp) ||
    (exp as number) <= (iat as number) ||
    ((exp as number) - (iat as number)) * 1000 > config.lifetimeMs + skew ||
    (iat as number) * 1000 > now + skew ||
    (payload.auth_time !== undefined &&
      (!Number.isSafeInteger(payload.auth_time) || (payload.auth_time as number) > (iat as number)))
  ) {
    throw new InvalidCredentialError('claims');
  }
  // jose compares whole seconds; this keeps the boundary exact to the millisecond.
  if ((exp as number) * 1000 + skew <= now) throw new ExpiredError('token');
  const claims: Record<string, JsonValue> = Object.create(null);
  for (const name of [...REGISTERED_CLAIMS, ...config.customClaims]) {
    if (Object.hasOwn(payload, name)) claims[name] = payload[name] as JsonValue;
  }
  return Object.freeze(claims) as AccessClaims;
}
