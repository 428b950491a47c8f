/**
 * @sess/core: every session rule of sess, against a small store contract. Web Crypto only; runs
 * wherever Node ≥ 20, Deno, Bun or a Workers runtime does.
 *
 * @packageDocumentation
 */

export type { AnomalyOptions } from './anomalies.ts';
export type {
  BindingPolicy,
  GuestOptions,
  JwtOptions,
  Preset,
  SessionClassOptions,
  SessionManagerOptions,
  Strategy,
} from './config.ts';
export {
  type CookieConfig,
  type CookieInstruction,
  type CookieNames,
  type CookieOptions,
  type CookieReadResult,
  clearCookies,
  csrfCookie,
  guestCookie,
  MAX_COOKIE_BYTES,
  type ResolvedCookies,
  readCookies,
  refreshCookie,
  resolveCookieConfig,
  type SameSite,
  serializeCookie,
  sessionCookie,
} from './cookies/index.ts';
export { formatCredential, isSessionId, parseCredential } from './credential.ts';
export {
  type CsrfBinding,
  type CsrfMode,
  type CsrfOptions,
  type CsrfPreSession,
  type CsrfProtection,
  type CsrfRequestContext,
  type CsrfTokens,
  checkFetchMetadata,
  checkOrigin,
  createCsrfProtection,
  createCsrfTokens,
  type FetchMetadataOptions,
  isSafeMethod,
  MIN_CSRF_KEY_BYTES,
  normalizeOrigin,
  type OriginCheckOptions,
  type ResolvedCsrf,
  resolveCsrfConfig,
} from './csrf/index.ts';
export {
  type DescribedConfig,
  type DescribedSessionClass,
  describeConfig,
} from './describe-config.ts';
export { deviceLabel } from './device-label.ts';
export {
  type AnySessError,
  type AuthFailureReason,
  BadRequestError,
  ConfigError,
  ConflictError,
  CookieTooLargeError,
  CsrfError,
  type CsrfFailureReason,
  ExpiredError,
  GuestDataTooLargeError,
  httpStatusFor,
  InvalidCredentialError,
  isSessError,
  LoginFailedError,
  NoCredentialError,
  NotFoundError,
  NotFreshError,
  PayloadTooLargeError,
  RateLimitedError,
  RefreshReuseError,
  RevokedError,
  SessError,
  type SessErrorCode,
  SessionLimitError,
  StoreError,
  type StoreFailureReason,
} from './errors.ts';
export {
  type DurationMetrics,
  defaultLogger,
  type Logger,
  type LoginFailureReason,
  type MetricsSnapshot,
  type RevokeReason,
  type SessEventListener,
  type SessEventMap,
  type SessEventName,
  type StoreCallMetrics,
  silentLogger,
} from './events.ts';
export {
  type GuestChange,
  type GuestSession,
  GuestSessions,
  type GuestWritten,
  type UpgradeOptions,
} from './guest.ts';
// What an app author meets; a binding author's names are in `@sess/core/http`.
export type {
  AuthRouteName,
  BodyFields,
  ClearSiteDataDirective,
  DeviceView,
  ErrorBody,
  HttpAuthOptions,
  LoginGrant,
  LoginRefusal,
  LoginVerifier,
  RateLimiterLike,
  RateLimitOptions,
  RoutesOptions,
} from './http/index.ts';
export type { AccessClaims } from './jwt/access-token.ts';
export {
  type AsymmetricAlgorithm,
  type AsymmetricKeyInput,
  createKeyring,
  type HmacKeyInput,
  type KeyAlgorithm,
  type KeyInput,
  type Keyring,
  type PublicJwk,
} from './jwt/keyring.ts';
export {
  estimateSecretStrength,
  MIN_SECRET_BITS,
  type SecretStrength,
} from './jwt/weak-secrets.ts';
export {
  type CreateOptions,
  createSessionManager,
  type LoginFailure,
  type RequestInfo,
  SessionManager,
} from './manager.ts';
export type { RequestLike } from './request.ts';
export type { Issued, Validated } from './results.ts';
export type { Session } from './session.ts';
export type { CappedCreate, SessionCap, StoreStats, StoreStatsOptions } from './store.ts';
export {
  GLOBAL_SCOPE,
  type JsonValue,
  type RevocationEvent,
  type SessionData,
  type SessionMeta,
  type SessionRecord,
  type SessionStore,
} from './store.ts';
export {
  DEFAULT_STORE_TIMEOUT,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  STORE_OPTION_NAMES,
  type StoreOptions,
} from './store-options.ts';
export {
  STORE_OPERATIONS,
  type StoreInterceptor,
  type StoreOperation,
  timeoutInterceptor,
  wrapStore,
} from './store-wrap.ts';
export { type Clock, systemClock } from './util/clock.ts';
export { type Duration, parseDuration } from './util/duration.ts';
export {
  closestName,
  type KnownOptions,
  type UnknownOptionContext,
  unknownOptionIssues,
} from './util/known-keys.ts';
