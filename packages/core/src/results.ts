import type { CookieInstruction } from './cookies/index.ts';
import type { AccessClaims } from './jwt/access-token.ts';
import { Redacting } from './redact.ts';
import type { Session } from './session.ts';

/** What `create`, `refresh` and `regenerate` hand back. Printing it (JSON or `util.inspect`) redacts the secrets. */
export interface Issued {
  /** The session. */
  readonly session: Session;
  /** The session credential: the cookie value (database) or the refresh token (jwt, hybrid). Secret. */
  readonly credential: string;
  /** The access JWT (jwt and hybrid strategies), else null. Secret. */
  readonly accessToken: string | null;
  /** Seconds until the access token expires, else null. */
  readonly expiresIn: number | null;
  /** Cookies the binding must set. */
  readonly cookies: readonly CookieInstruction[];
  /** True when this refresh was a retry inside the reuse window that returned the same successor. */
  readonly retry: boolean;
}

/** What `validate` hands back for an authenticated request. Printing it redacts the secrets. */
export interface Validated {
  /** The session's public handle. */
  readonly sessionId: string;
  /** The authenticated user. */
  readonly userId: string;
  /** The session record's view (database and hybrid strategies); null in the jwt strategy. */
  readonly session: Session | null;
  /** The verified access-token claims (jwt and hybrid); null in the database strategy. */
  readonly claims: AccessClaims | null;
  /** When the user last authenticated, when known; drives `requireFresh`. */
  readonly authenticatedAt: number | null;
  /** A renewed credential when the session was rotated (renewal timeout), else null. Secret. */
  readonly credential: string | null;
  /**
   * Cookies the binding must set (a renewed credential). Apply them on every response, error
   * responses included: a renewal that never reaches the browser looks like reuse later.
   */
  readonly cookies: readonly CookieInstruction[];
}

export class IssuedResult extends Redacting implements Issued {
  constructor(
    readonly session: Session,
    readonly credential: string,
    readonly accessToken: string | null,
    readonly expiresIn: number | null,
    readonly cookies: readonly CookieInstruction[],
    readonly retry: boolean,
  ) {
    super();
  }
}

export class ValidatedResult extends Redacting implements Validated {
  readonly sessionId: string;
  readonly userId: string;
  readonly session: Session | null;
  readonly claims: AccessClaims | null;
  readonly authenticatedAt: number | null;
  readonly credential: string | null;
  readonly cookies: readonly CookieInstruction[];

  constructor(fields: Validated) {
    super();
    this.sessionId = fields.sessionId;
    this.userId = fields.userId;
    this.session = fields.session;
    this.claims = fields.claims;
    this.authenticatedAt = fields.authenticatedAt;
    this.credential = fields.credential;
    this.cookies = fields.cookies;
  }
}
