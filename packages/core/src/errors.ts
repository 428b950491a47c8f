/**
 * Every error sess throws is a {@link SessError} with a stable `code`. Check `err.code` (or use
 * {@link isSessError}) rather than `instanceof` alone: two copies of this module can coexist when
 * ESM and CJS builds are both loaded.
 *
 * Messages never contain a token, cookie, secret or password; context lives in properties.
 *
 * @example
 * ```ts
 * try {
 *   await sess.validate(token);
 * } catch (err) {
 *   if (isSessError(err)) res.status(httpStatusFor(err.code)).json({ error: err.toJSON() });
 *   else throw err;
 * }
 * ```
 */
export class SessError extends Error {
  /** The stable machine-readable code of this error class. */
  static readonly code: SessErrorCode | 'ERR_SESS' = 'ERR_SESS';
  /** The stable machine-readable code; switch on it to narrow {@link AnySessError}. */
  readonly code: SessErrorCode;

  constructor(code: SessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** The public shape used in HTTP error bodies: `{ code, message }`, nothing else. */
  toJSON(): { code: SessErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The configuration (or a key) is invalid. Lists every problem at once in `issues`. */
export class ConfigError extends SessError {
  static override readonly code = 'ERR_SESS_CONFIG' as const;
  declare readonly code: 'ERR_SESS_CONFIG';
  /** Every problem found, one human-readable line each. */
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(ConfigError.code, `Invalid sess configuration:\n- ${issues.join('\n- ')}`);
    this.issues = Object.freeze([...issues]);
  }
}

/**
 * Why a store operation failed, when the store knows: `'duplicate-id'` (a `create` met a live record
 * with the same id: a bug, never a race to win), `'timeout'` (no answer within the store's
 * `timeout`), `'closed'` (the store was closed), `'failed'` (anything else; the driver's error is
 * the `cause`).
 */
export type StoreFailureReason = 'duplicate-id' | 'timeout' | 'closed' | 'failed';

/**
 * The store failed or did not answer. Fail closed: map to 503, never to a pass or a 401. Stores
 * throw it for the failures they detect themselves (with a `reason`); core wraps any other error a
 * store throws in one (`reason: 'failed'`, the original as `cause`).
 *
 * @example
 * ```ts
 * throw new StoreError('create', { reason: 'duplicate-id' });
 * ```
 */
export class StoreError extends SessError {
  static override readonly code = 'ERR_SESS_STORE' as const;
  declare readonly code: 'ERR_SESS_STORE';
  /** The store operation that failed, for example `get`. */
  readonly operation: string;
  /** Why, when the store knows; see {@link StoreFailureReason}. */
  readonly reason: StoreFailureReason;
  constructor(
    operation: string,
    options?: { cause?: unknown; reason?: StoreFailureReason; detail?: string },
  ) {
    const reason = options?.reason ?? 'failed';
    const why = options?.detail ?? (reason === 'failed' ? '' : REASONS[reason]);
    super(
      StoreError.code,
      `Session store operation "${operation}" failed${why ? `: ${why}` : ''}`,
      options,
    );
    this.operation = operation;
    this.reason = reason;
  }
}

const REASONS: Record<StoreFailureReason, string> = {
  'duplicate-id': 'a live session with this id already exists',
  timeout: 'no answer in time',
  closed: 'the store is closed',
  failed: '',
};

/**
 * Why a credential or token was refused. Logged and evented; never shown to the client. No
 * credential at all is not one of them: that is {@link NoCredentialError}.
 */
export type AuthFailureReason =
  | 'malformed'
  | 'unknown'
  | 'mismatch'
  | 'signature'
  | 'claims'
  | 'type';

/** The credential or access token sent is malformed, unknown or does not verify. */
export class InvalidCredentialError extends SessError {
  static override readonly code = 'ERR_SESS_INVALID_CREDENTIAL' as const;
  declare readonly code: 'ERR_SESS_INVALID_CREDENTIAL';
  /** Why it was refused (internal detail for logs and events). */
  readonly reason: AuthFailureReason;
  constructor(reason: AuthFailureReason, options?: { cause?: unknown }) {
    super(InvalidCredentialError.code, 'The session credential is invalid', options);
    this.reason = reason;
  }
}

/**
 * The request carried no credential at all: no session cookie, no bearer token, no refresh
 * token. A 401 like {@link InvalidCredentialError}, with its own code so a client can tell "not
 * signed in" from "signed in with something that no longer works", and an RFC 6750 challenge
 * without `error="invalid_token"`.
 */
export class NoCredentialError extends SessError {
  static override readonly code = 'ERR_SESS_NO_CREDENTIAL' as const;
  declare readonly code: 'ERR_SESS_NO_CREDENTIAL';
  constructor() {
    super(NoCredentialError.code, 'No session credential was sent');
  }
}

/** The session or access token has expired (idle, absolute, or token `exp`). */
export class ExpiredError extends SessError {
  static override readonly code = 'ERR_SESS_EXPIRED' as const;
  declare readonly code: 'ERR_SESS_EXPIRED';
  /** Which limit was reached. */
  readonly limit: 'idle' | 'absolute' | 'token';
  constructor(limit: 'idle' | 'absolute' | 'token') {
    super(ExpiredError.code, 'The session has expired');
    this.limit = limit;
  }
}

/** The session was revoked (logout, log out everywhere, incident, binding change). */
export class RevokedError extends SessError {
  static override readonly code = 'ERR_SESS_REVOKED' as const;
  declare readonly code: 'ERR_SESS_REVOKED';
  constructor() {
    super(RevokedError.code, 'The session has been revoked');
  }
}

/** A superseded refresh credential was presented outside the reuse window: the session is revoked. */
export class RefreshReuseError extends SessError {
  static override readonly code = 'ERR_SESS_REFRESH_REUSED' as const;
  declare readonly code: 'ERR_SESS_REFRESH_REUSED';
  /** The public handle of the revoked session. */
  readonly sessionId: string;
  constructor(sessionId: string) {
    super(RefreshReuseError.code, 'A superseded refresh token was reused; the session was revoked');
    this.sessionId = sessionId;
  }
}

/** The action needs a recent authentication (`requireFresh`): re-authenticate, then retry. */
export class NotFreshError extends SessError {
  static override readonly code = 'ERR_SESS_NOT_FRESH' as const;
  declare readonly code: 'ERR_SESS_NOT_FRESH';
  /** The maximum allowed age of the authentication, in milliseconds. */
  readonly maxAgeMs: number;
  constructor(maxAgeMs: number) {
    super(NotFreshError.code, 'This action requires a recent sign-in');
    this.maxAgeMs = maxAgeMs;
  }
}

/** Why a CSRF check refused a request. */
export type CsrfFailureReason =
  | 'cross-site'
  | 'same-site'
  | 'origin-missing'
  | 'origin-null'
  | 'origin-untrusted'
  | 'token-missing'
  | 'token-invalid';

/** A state-changing request failed the CSRF checks. */
export class CsrfError extends SessError {
  static override readonly code = 'ERR_SESS_CSRF' as const;
  declare readonly code: 'ERR_SESS_CSRF';
  /** Which check failed. */
  readonly reason: CsrfFailureReason;
  constructor(reason: CsrfFailureReason) {
    super(CsrfError.code, 'The request failed CSRF validation');
    this.reason = reason;
  }
}

/** `maxSessionsPerUser` was reached under the `reject` policy. */
export class SessionLimitError extends SessError {
  static override readonly code = 'ERR_SESS_SESSION_LIMIT' as const;
  declare readonly code: 'ERR_SESS_SESSION_LIMIT';
  /** The configured limit. */
  readonly limit: number;
  constructor(limit: number) {
    super(SessionLimitError.code, 'The maximum number of sessions for this user was reached');
    this.limit = limit;
  }
}

/** A compare-and-set lost to a concurrent writer; re-read and retry. */
export class ConflictError extends SessError {
  static override readonly code = 'ERR_SESS_CONFLICT' as const;
  declare readonly code: 'ERR_SESS_CONFLICT';
  constructor() {
    super(ConflictError.code, 'The session was changed concurrently');
  }
}

/** The session does not exist or does not belong to the caller. */
export class NotFoundError extends SessError {
  static override readonly code = 'ERR_SESS_NOT_FOUND' as const;
  declare readonly code: 'ERR_SESS_NOT_FOUND';
  constructor() {
    super(NotFoundError.code, 'Session not found');
  }
}

/** A serialised cookie exceeded 4096 bytes; browsers would truncate or drop it. */
export class CookieTooLargeError extends SessError {
  static override readonly code = 'ERR_SESS_COOKIE_TOO_LARGE' as const;
  declare readonly code: 'ERR_SESS_COOKIE_TOO_LARGE';
  /** The cookie's name (never its value). */
  readonly cookieName: string;
  /** The serialised size in bytes. */
  readonly size: number;
  constructor(cookieName: string, size: number) {
    super(CookieTooLargeError.code, `Cookie "${cookieName}" is ${size} bytes; the limit is 4096`);
    this.cookieName = cookieName;
    this.size = size;
  }
}

/** Too many attempts; retry after `retryAfterSeconds`. Thrown by the bindings' rate limits. */
export class RateLimitedError extends SessError {
  static override readonly code = 'ERR_SESS_RATE_LIMITED' as const;
  declare readonly code: 'ERR_SESS_RATE_LIMITED';
  /** Seconds until a retry may succeed. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(RateLimitedError.code, 'Too many requests');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The app's login check refused the user (wrong password, unknown account). Says nothing about which. */
export class LoginFailedError extends SessError {
  static override readonly code = 'ERR_SESS_LOGIN_FAILED' as const;
  declare readonly code: 'ERR_SESS_LOGIN_FAILED';
  constructor() {
    super(LoginFailedError.code, 'Invalid login');
  }
}

/** The request body could not be read as the JSON object or form the handler expects. */
export class BadRequestError extends SessError {
  static override readonly code = 'ERR_SESS_BAD_REQUEST' as const;
  declare readonly code: 'ERR_SESS_BAD_REQUEST';
  constructor() {
    super(BadRequestError.code, 'The request body is malformed');
  }
}

/** The request body exceeds the binding's `bodyLimit`. */
export class PayloadTooLargeError extends SessError {
  static override readonly code = 'ERR_SESS_PAYLOAD_TOO_LARGE' as const;
  declare readonly code: 'ERR_SESS_PAYLOAD_TOO_LARGE';
  /** The limit, in bytes. */
  readonly limit: number;
  constructor(limit: number) {
    super(PayloadTooLargeError.code, 'The request body is too large');
    this.limit = limit;
  }
}

/** Guest session data over `guest.maxBytes` (its JSON, in UTF-8 bytes): nothing was written. */
export class GuestDataTooLargeError extends SessError {
  static override readonly code = 'ERR_SESS_GUEST_TOO_LARGE' as const;
  declare readonly code: 'ERR_SESS_GUEST_TOO_LARGE';
  /** The limit, in bytes. */
  readonly limit: number;
  constructor(limit: number) {
    super(GuestDataTooLargeError.code, `The guest session data exceeds ${limit} bytes`);
    this.limit = limit;
  }
}

/** Every concrete error class, for narrowing with `switch (err.code)`. */
export type AnySessError =
  | ConfigError
  | StoreError
  | InvalidCredentialError
  | NoCredentialError
  | ExpiredError
  | RevokedError
  | RefreshReuseError
  | NotFreshError
  | CsrfError
  | SessionLimitError
  | ConflictError
  | NotFoundError
  | CookieTooLargeError
  | RateLimitedError
  | LoginFailedError
  | BadRequestError
  | PayloadTooLargeError
  | GuestDataTooLargeError;

/** Every stable error code. */
export type SessErrorCode = AnySessError['code'];

const STATUS: Readonly<Record<SessErrorCode, number>> = {
  ERR_SESS_CONFIG: 500,
  ERR_SESS_STORE: 503,
  ERR_SESS_INVALID_CREDENTIAL: 401,
  ERR_SESS_NO_CREDENTIAL: 401,
  ERR_SESS_EXPIRED: 401,
  ERR_SESS_REVOKED: 401,
  ERR_SESS_REFRESH_REUSED: 401,
  ERR_SESS_NOT_FRESH: 401,
  ERR_SESS_CSRF: 403,
  ERR_SESS_SESSION_LIMIT: 409,
  ERR_SESS_CONFLICT: 409,
  ERR_SESS_NOT_FOUND: 404,
  ERR_SESS_COOKIE_TOO_LARGE: 500,
  ERR_SESS_RATE_LIMITED: 429,
  ERR_SESS_LOGIN_FAILED: 401,
  ERR_SESS_BAD_REQUEST: 400,
  ERR_SESS_PAYLOAD_TOO_LARGE: 413,
  ERR_SESS_GUEST_TOO_LARGE: 413,
};

/**
 * The HTTP status every binding uses for an error code. Unknown codes map to 500.
 *
 * @example
 * ```ts
 * httpStatusFor('ERR_SESS_STORE'); // 503: a store failure never becomes a 401
 * ```
 */
export function httpStatusFor(code: string): number {
  return (STATUS as Record<string, number | undefined>)[code] ?? 500;
}

/** True when `value` is a sess error (checked by code, so it works across module copies). */
export function isSessError(value: unknown): value is AnySessError {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as unknown as { code: string }).code in STATUS
  );
}
