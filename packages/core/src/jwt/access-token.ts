import { compactVerify, type JWTPayload, SignJWT } from 'jose';
import { ConfigError, ExpiredError, InvalidCredentialError, type SessError } from '../errors.ts';
import type { JsonValue } from '../store.ts';
import { randomToken, timingSafeEqual } from '../util/crypto.ts';
import { base64url, utf8Encoder } from '../util/encoding.ts';
import { type SyncHmac, syncHmac } from '../util/node-crypto.ts';
import type { LoadedKey } from './key-import.ts';
import { type Keyring, type KeyringState, keyringState } from './keyring.ts';
import { isLowS, withLowS } from './low-s.ts';
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
  /** The device-binding claim (`bnd`: keyed hashes of the session's User-Agent and IP), when binding is on. */
  bnd?: string;
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
  'bnd',
]);
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const CLAIM_NAME = /^[\x21-\x7e]{1,256}$/;
const OPTIONAL_CLAIMS = ['auth_time', 'bnd'];

/**
 * Problems with a list of custom claim names, one line each (empty when valid): registered JWT
 * claims, sess's own (`sid`), `cnf`, prototype-polluting names, non-printable names, duplicates.
 */
export function validateCustomClaims(names: readonly string[]): string[] {
  if (!Array.isArray(names)) return ['customClaims must be an array of claim names'];
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : `(${typeof name})`;
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
  const { sub, sid, now, authTime, bnd, claims = {} } = input;
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
  if (bnd !== undefined) payload.bnd = bnd;
  for (const name of config.customClaims) {
    if (Object.hasOwn(claims, name) && claims[name] !== undefined) payload[name] = claims[name];
  }
  const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt' };
  const mac = hmacOf(key, 'signKey');
  let token = mac
    ? compactHs256(header, payload, mac)
    : await new SignJWT(payload).setProtectedHeader(header).sign(key.signKey!);
  if (key.alg === 'ES256') token = withLowS(token);
  if (token.length > config.maxTokenLength) {
    throw new ConfigError([
      `access token is ${token.length} characters; maxTokenLength is ${config.maxTokenLength}`,
    ]);
  }
  return { token, jti, exp: exp * 1000 };
}

/**
 * Verifies an access token at `now` (epoch ms): structural precheck, then the signature with the
 * key named by `kid` under that key's algorithm only (never the header's choice), then `iss`,
 * `aud`, required claims, `nbf`, `exp`/`iat` with `clockSkewMs` of tolerance, and a lifetime no
 * longer than configured. HS256 signatures are checked synchronously on node:crypto where the
 * runtime has it, else through jose on Web Crypto; every other check is the same code on both.
 *
 * @returns the claims as a prototype-free object (see {@link AccessClaims}).
 * @throws ExpiredError (`limit: 'token'`) once expired; InvalidCredentialError with reason
 *   `malformed`, `type`, `signature` or `claims` otherwise (on Web Crypto, a signature failure
 *   keeps jose's error as `cause`).
 */
export async function verifyAccessToken(
  keyring: Keyring,
  config: AccessTokenConfig,
  token: string,
  now: number,
): Promise<AccessClaims> {
  return (await verifyAccessTokenWindow(keyring, config, token, now)).claims;
}

/** A verified token's claims and the instants (epoch ms) between which they pass every check. */
export interface VerifiedAccessToken {
  readonly claims: AccessClaims;
  /** The earliest instant the time checks pass: `max(iat, nbf)` minus the skew. */
  readonly from: number;
  /** The first instant the token is expired: `exp` plus the skew. */
  readonly until: number;
}

/** {@link verifyAccessToken}, also telling when the same token would pass again. */
export async function verifyAccessTokenWindow(
  keyring: Keyring,
  config: AccessTokenConfig,
  token: string,
  now: number,
): Promise<VerifiedAccessToken> {
  const verified = verifyAccessTokenSync(keyring, config, token, now);
  if (verified !== undefined) return verified;
  const state = keyringState(keyring);
  const { kid, alg, payload } = precheck(state, config, token);
  const key = (await state.load()).get(kid)!;
  const mac = hmacOf(key, 'verifyKey');
  if (mac) return checkHmac(mac, token, payload, config, now);
  if (alg === 'ES256' && !isLowS(token.slice(token.lastIndexOf('.') + 1))) {
    throw new InvalidCredentialError('signature');
  }
  try {
    await compactVerify(token, key.verifyKey, { algorithms: [alg] });
  } catch (error) {
    throw joseFailure(error);
  }
  return checkClaims(payload, config, now);
}

/**
 * {@link verifyAccessTokenWindow} without a promise, where it can run synchronously: an HS256 key
 * on node:crypto, with the keyring loaded. Undefined when it cannot (nothing was checked then);
 * throws exactly as the asynchronous version would.
 */
export function verifyAccessTokenSync(
  keyring: Keyring,
  config: AccessTokenConfig,
  token: string,
  now: number,
): VerifiedAccessToken | undefined {
  if (!Number.isFinite(now)) throw new TypeError('verifyAccessToken: now must be epoch ms');
  const state = keyringState(keyring);
  const keys = state.loaded();
  if (keys === null) return undefined;
  const { kid, payload } = precheck(state, config, token);
  const mac = hmacOf(keys.get(kid)!, 'verifyKey');
  return mac ? checkHmac(mac, token, payload, config, now) : undefined;
}

function precheck(state: KeyringState, config: AccessTokenConfig, token: string) {
  return precheckAccessToken(token, {
    maxLength: config.maxTokenLength,
    algOf: state.algOf,
    headers: state.headers,
  });
}

function checkHmac(
  mac: SyncHmac,
  token: string,
  payload: Record<string, unknown>,
  config: AccessTokenConfig,
  now: number,
): VerifiedAccessToken {
  // The precheck admitted only canonical base64url, so equal strings mean equal signature bytes.
  const dot = token.lastIndexOf('.');
  if (!timingSafeEqual(mac.sign(token.slice(0, dot)), token.slice(dot + 1))) {
    throw new InvalidCredentialError('signature');
  }
  return checkClaims(payload, config, now);
}

/** The synchronous HMAC of an HS256 key, when node:crypto can compute it. */
function hmacOf(key: LoadedKey, use: 'signKey' | 'verifyKey'): SyncHmac | null {
  return key.alg === 'HS256' ? syncHmac(key[use]!) : null;
}

/** A compact JWS, byte for byte what jose's SignJWT writes for the same header and claims. */
function compactHs256(header: object, payload: JWTPayload, mac: SyncHmac): string {
  const encode = (part: object) => base64url(utf8Encoder.encode(JSON.stringify(part)));
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${mac.sign(input)}`;
}

function joseFailure(error: unknown): SessError {
  return (error as { code?: unknown } | null)?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
    ? new InvalidCredentialError('signature', { cause: error })
    : new InvalidCredentialError('malformed', { cause: error });
}

/**
 * Every claim check, on the payload the precheck parsed: what jose's `jwtVerify` would check, made
 * exact to the millisecond, and stricter. The claims are a copy of the known ones only, never the
 * payload itself.
 */
function checkClaims(
  payload: Record<string, unknown>,
  config: AccessTokenConfig,
  now: number,
): VerifiedAccessToken {
  const { iss, aud, sub, sid, jti, iat, exp, nbf } = payload;
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
    (nbf !== undefined && typeof nbf !== 'number') ||
    (payload.bnd !== undefined && typeof payload.bnd !== 'string') ||
    (payload.auth_time !== undefined &&
      (!Number.isSafeInteger(payload.auth_time) || (payload.auth_time as number) > (iat as number)))
  ) {
    throw new InvalidCredentialError('claims');
  }
  const from = Math.max(iat as number, (nbf as number | undefined) ?? 0) * 1000 - skew;
  const until = (exp as number) * 1000 + skew;
  if (now < from) throw new InvalidCredentialError('claims'); // issued (or valid) only later
  if (now >= until) throw new ExpiredError('token');
  const claims = new Claims(payload);
  copy(claims, payload, OPTIONAL_CLAIMS);
  copy(claims, payload, config.customClaims);
  return { claims: Object.freeze(claims) as AccessClaims, from, until };
}

/** The claims of `names` the payload carries, copied onto `claims`. */
function copy(
  claims: Record<string, unknown>,
  payload: Record<string, unknown>,
  names: readonly string[],
): void {
  for (const name of names) if (Object.hasOwn(payload, name)) claims[name] = payload[name];
}

/**
 * The verified claims' object: its prototype is an empty frozen object without one, so claims
 * inherit nothing (`'toString' in claims` is false, and a polluted `Object.prototype` never shows
 * through), while V8 still gives every instance one fast shape. An `Object.create(null)` copy
 * is a dictionary, about ten times slower to build and to read.
 */
const Claims = function Claims(this: Record<string, unknown>, payload: Record<string, unknown>) {
  this.iss = payload.iss;
  this.aud = payload.aud;
  this.sub = payload.sub;
  this.sid = payload.sid;
  this.jti = payload.jti;
  this.iat = payload.iat;
  this.exp = payload.exp;
} as unknown as new (
  payload: Record<string, unknown>,
) => Record<string, unknown>;
Claims.prototype = Object.freeze(Object.create(null));
