import { createIssue } from './config/guest.ts';
import {
  type ResolvedConfig,
  resolveConfig,
  type SessionManagerOptions,
  type Strategy,
} from './config.ts';
import type { CookieInstruction, ResolvedCookies } from './cookies/index.ts';
import { clearCookies } from './cookies/index.ts';
import type { CreateOptions } from './create-options.ts';
import { parseCredential } from './credential.ts';
import { type CsrfProtection, createCsrfProtection } from './csrf/index.ts';
import { DeviceBinding, type RequestInfo } from './device-binding.ts';
import {
  type AnySessError,
  ConfigError,
  ConflictError,
  ExpiredError,
  InvalidCredentialError,
  isSessError,
  NoCredentialError,
  NotFoundError,
  NotFreshError,
} from './errors.ts';
import type { MetricsSnapshot, RevokeReason, SessEventListener, SessEventName } from './events.ts';
import { GuestSessions } from './guest.ts';
import { Issuer } from './issuing.ts';
import type { AccessClaims } from './jwt/access-token.ts';
import { AccessTokenVerifier } from './jwt/access-verifier.ts';
import type { Keyring } from './jwt/keyring.ts';
import { ManagerContext } from './manager-context.ts';
import { newRecord, touched } from './record.ts';
import { opaque } from './redact.ts';
import type { Issued, Validated } from './results.ts';
import { Revoker } from './revocation.ts';
import { matchSecret, Rotation, Rotator } from './rotation.ts';
import { type Session, toSession } from './session.ts';
import { AuthSignals, boundedIp, type LoginFailure, observedCsrf } from './signals.ts';
import { GLOBAL_SCOPE, type SessionData, type SessionRecord } from './store.ts';
import { deriveKey, sha256 } from './util/crypto.ts';
import type { Duration } from './util/duration.ts';
import { durationMs } from './util/duration.ts';
import { Validator } from './validation.ts';

export type { CreateOptions, LoginFailure, RequestInfo };

/**
 * Creates a session manager: every session rule of sess, against the store you pass. Options are
 * validated here, once; every problem is listed in one {@link ConfigError}.
 *
 * @example
 * ```ts
 * import { createSessionManager } from '@sess/core';
 * import { sqliteStore } from '@sess/store-sqlite';
 *
 * const store = sqliteStore({ database: 'sessions.db', migrate: true });
 * const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
 * const { credential, cookies } = await sess.create(user.id, { request: { userAgent, ip } });
 * const { session } = await sess.validate(credential);
 * ```
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  return new SessionManager(resolveConfig(options));
}

/** The session manager. Create it with {@link createSessionManager}. */
export class SessionManager {
  /** The strategy in use. */
  readonly strategy: Strategy;
  /**
   * CSRF protection keyed from the server secret (null when no `csrf` option was given); bindings
   * apply it to unsafe requests. Every refusal also emits `csrf.rejected`.
   */
  readonly csrf: CsrfProtection | null;
  /** The validated cookie names and attributes, for reading cookies and building CSRF cookies. */
  readonly cookies: ResolvedCookies;
  /** The access-token keyring (whenever `jwt` options are given), for `jwks()` and an early `load()`; else null. */
  readonly keyring: Keyring | null;
  /** Guest sessions (before login); every method is a ConfigError without the `guest` option. */
  readonly guest: GuestSessions;
  readonly #ctx: ManagerContext;
  readonly #verifier: AccessTokenVerifier | null;
  readonly #validator: Validator;
  readonly #issuer: Issuer;
  readonly #rotation: Rotation;
  readonly #revoker: Revoker;
  readonly #signals: AuthSignals;
  readonly #unsubscribe: (() => void) | null;

  /** @internal Use {@link createSessionManager}. */
  constructor(config: ResolvedConfig) {
    const derived = (purpose: string) =>
      Promise.all(config.secrets.map((s) => deriveKey(s, purpose)));
    const ctx = ManagerContext.create(config);
    const { events, cache } = ctx;
    this.#ctx = ctx;
    this.strategy = config.strategy;
    this.cookies = config.cookies;
    this.keyring = config.jwt?.keyring ?? null;
    this.csrf = config.csrf
      ? observedCsrf(
          createCsrfProtection(config.csrf, deriveKey(config.secrets[0]!, 'csrf')),
          events,
        )
      : null;
    this.#verifier = config.jwt
      ? new AccessTokenVerifier(config.jwt.keyring, config.jwt, config.jwt.tokenCacheSize)
      : null;
    const binding = new DeviceBinding(config.binding, derived('binding'));
    this.#revoker = new Revoker(ctx);
    this.#rotation = new Rotation(ctx, new Rotator(derived('rotation')), this.#revoker);
    this.#issuer = new Issuer(ctx, binding);
    this.#validator = new Validator(ctx, {
      verifier: this.#verifier,
      binding,
      rotation: this.#rotation,
      revoker: this.#revoker,
      issuer: this.#issuer,
    });
    this.guest = new GuestSessions(ctx, this.#rotation, (userId, o) => this.create(userId, o));
    this.#signals = new AuthSignals(ctx, deriveKey(config.secrets[0]!, 'account'));
    this.#unsubscribe = config.store.subscribe?.((event) => cache.apply(event)) ?? null;
    cache.replica?.sync(ctx.now());
    opaque(this, { strategy: this.strategy, store: ctx.store.name });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends SessEventName>(name: E, listener: SessEventListener<E>): () => void {
    return this.#ctx.events.on(name, listener);
  }

  /**
   * Reports a login your verifier refused: emits `login.failed` and counts it in `metrics()`. The
   * account name is never passed on: events and logs get a keyed hash of it (the same name gives
   * the same hash under the same secret, so bursts against one account can be seen). The bindings'
   * `login(verify)` calls this when `verify` refuses; call it yourself from a login route of your own.
   *
   * @example
   * ```ts
   * if (!user) await sess.loginFailed({ reason: 'unknown-account', account: email, ip: req.ip });
   * ```
   */
  loginFailed(failure: LoginFailure = {}): Promise<void> {
    return this.#signals.loginFailed(failure);
  }

  /**
   * Reports a credential refused at the HTTP layer (the bindings call it for every 401 they
   * answer): emits `credential.refused` with the error's code and reason, never the credential.
   */
  credentialRefused(error: AnySessError, via: 'cookie' | 'bearer' | 'refresh'): void {
    this.#signals.credentialRefused(error, via);
  }

  /** Reports a rate limit that ran out (the bindings' `rateLimit` calls it): `ratelimit.exceeded`. */
  rateLimited(route: string): void {
    this.#signals.rateLimited(route);
  }

  /**
   * Resolves once this instance validates access tokens with no store call: the revocation
   * replica (`revocation.replica`) has loaded. At once without a replica. Rejects with the store's
   * error while the store cannot answer; call it again to retry. Validation never needs it (until
   * then it asks the store): await it in a readiness probe, or before taking traffic.
   *
   * @example
   * ```ts
   * await sess.ready();
   * server.listen(3000);
   * ```
   */
  ready(): Promise<void> {
    return this.#ctx.cache.replica?.loaded(this.#ctx.now()) ?? Promise.resolve();
  }

  /** A snapshot of event counters and store-call latency. */
  metrics(): MetricsSnapshot {
    return this.#ctx.metrics(this.#verifier);
  }

  /**
   * Starts a session for `userId` (after the app has verified the user). Enforces
   * `maxSessionsPerUser`. Returns the credential, the access token (jwt, hybrid) and the cookies.
   */
  async create(userId: string, options: CreateOptions = {}): Promise<Issued> {
    const sessionClass = options.sessionClass ?? 'standard';
    const ctx = this.#ctx;
    const issue = createIssue(userId, sessionClass, ctx.config.guest !== null);
    if (issue !== null) throw new ConfigError([issue]);
    const cls = ctx.cls(sessionClass);
    const { record, secret } = await newRecord(
      {
        userId,
        sessionClass,
        data: options.data ?? {},
        meta: {
          userAgent: options.meta?.userAgent ?? options.request?.userAgent ?? null,
          ip: options.meta?.ip ?? options.request?.ip ?? null,
          createdFrom: options.meta?.createdFrom ?? null,
        },
      },
      cls,
      ctx.now(),
    );
    if (ctx.config.maxSessions) await this.#revoker.createCapped(record, ctx.config.maxSessions);
    else await ctx.store.create(record);
    ctx.events.emit('session.created', { sessionId: record.id, userId, sessionClass });
    ctx.anomalies.loggedIn(userId, boundedIp(record.meta.ip), record.createdAt);
    return this.#issuer.issue(record, secret, false);
  }

  /**
   * Authenticates a request from the token it carries: the session credential (database strategy)
   * or the access JWT (jwt, hybrid). Checks expiry, revocation, watermarks and binding; touches the
   * session when the touch threshold is crossed; renews the credential when due.
   *
   * @throws NoCredentialError, InvalidCredentialError, ExpiredError, RevokedError, RefreshReuseError (401);
   *   StoreError (503) when the store fails: never a pass.
   */
  validate(token: string | null | undefined, request?: RequestInfo): Promise<Validated> {
    return this.#validator.validate(token, request);
  }

  /**
   * Rotates a session credential (the refresh token) and issues a new access token. Idempotent: a
   * retry with the just-superseded secret inside the reuse window returns the same successor. A
   * superseded secret outside the window is theft: the session is revoked and
   * {@link RefreshReuseError} thrown. Never extends a session past its absolute lifetime.
   */
  async refresh(credential: string | null | undefined, request?: RequestInfo): Promise<Issued> {
    const parsed = parseCredential(credential);
    if (!parsed)
      throw credential ? new InvalidCredentialError('malformed') : new NoCredentialError();
    const validator = this.#validator;
    const hash = await sha256(parsed.secret);
    const record = await validator.load(parsed.id, hash);
    const now = this.#ctx.now();
    validator.checkExpiry(record, now);
    await validator.checkWatermark(record);
    const match = matchSecret(record, hash);
    if (match === 'none') throw new InvalidCredentialError('mismatch');
    // A refresh is where the jwt strategy meets the record: the device is checked here too.
    await validator.checkBinding(record, request);
    if (match !== 'current') {
      const successor = await this.#rotation.recover(record, parsed.secret, match, now);
      return this.#issuer.refreshed(record, successor, true);
    }
    const rotated = await this.#rotation.rotate(record, parsed.secret, hash, now);
    return this.#issuer.refreshed(rotated.record, rotated.secret, !rotated.won);
  }

  /**
   * Replaces a live session with a new id and secret (on login or privilege change, against session
   * fixation). The old credential stops working at once; data and device facts carry over. The
   * absolute lifetime and the time of authentication carry over too, unless `authenticated` says
   * the user just proved who they are (then both start afresh, as at login).
   */
  async regenerate(sessionId: string, options: { authenticated?: boolean } = {}): Promise<Issued> {
    const ctx = this.#ctx;
    const old = await this.#validator.load(sessionId, null);
    const now = ctx.now();
    this.#validator.checkExpiry(old, now);
    await this.#validator.checkWatermark(old);
    const { userId, sessionClass, data, meta } = old;
    const cls = ctx.cls(sessionClass);
    let { record, secret } = await newRecord({ userId, sessionClass, data, meta }, cls, now);
    if (!options.authenticated) {
      const { createdAt, authenticatedAt, absoluteExpiresAt } = old;
      record = touched({ ...record, createdAt, authenticatedAt, absoluteExpiresAt }, cls, now);
    }
    await ctx.store.create(record);
    await this.#revoker.end(old.id, old.userId, 'regenerated', old.createdAt);
    ctx.events.emit('session.created', {
      sessionId: record.id,
      userId: record.userId,
      sessionClass: record.sessionClass,
    });
    return this.#issuer.issue(record, secret, false);
  }

  /** Ends one session (logout): its credential and, in the jwt strategies, its access tokens stop working. */
  async revoke(sessionId: string, reason: RevokeReason = 'logout'): Promise<boolean> {
    const record = await this.#ctx.store.get(sessionId);
    return this.#revoker.end(sessionId, record?.userId ?? null, reason, record?.createdAt);
  }

  /**
   * Denies one access token (by its `jti`) until it expires, for example a token that leaked;
   * the session and its other tokens keep working. Jwt and hybrid strategies only.
   * @throws InvalidCredentialError when the token does not verify (it needs no revocation).
   */
  async revokeAccessToken(token: string): Promise<void> {
    const jwt = this.#ctx.config.jwt;
    if (this.strategy === 'database' || !jwt || !this.#verifier)
      throw new ConfigError(['revokeAccessToken: needs the jwt or hybrid strategy']);
    let claims: AccessClaims;
    try {
      claims = await this.#verifier.verify(token, this.#ctx.now());
    } catch (error) {
      if (isSessError(error) && error.code === ExpiredError.code) return; // dead already
      throw error;
    }
    await this.#revoker.deny(`jti:${claims.jti}`, claims.exp * 1000 + jwt.clockSkewMs);
  }

  /**
   * Ends every session of a user ("log out everywhere"), or all but `except` ("log out other
   * devices"). Without `except`, a per-user watermark also kills every access token already issued.
   * Returns how many sessions were deleted.
   */
  async revokeAllForUser(
    userId: string,
    options: { except?: readonly string[] } = {},
  ): Promise<number> {
    const ctx = this.#ctx;
    const except = options.except ?? [];
    const now = ctx.now();
    if (except.length === 0) {
      await this.#revoker.raiseWatermark(userId);
    } else if (this.strategy !== 'database') {
      const sessions = await ctx.store.listByUser(userId);
      for (const s of sessions) {
        if (!except.includes(s.id)) await this.#revoker.denySession(s.id, now);
      }
    }
    const count = await ctx.store.deleteByUser(userId, { except });
    ctx.events.emit('session.revoked', { sessionId: null, userId, reason: 'user' });
    return count;
  }

  /** Incident response: every session and access token issued before now stops working, for every user. */
  async revokeEverything(): Promise<void> {
    await this.#revoker.raiseWatermark(GLOBAL_SCOPE);
    this.#ctx.events.emit('session.revoked', {
      sessionId: null,
      userId: null,
      reason: 'everything',
    });
  }

  /** The live sessions of a user ("your devices"), most recently active first. */
  async list(userId: string): Promise<Session[]> {
    const live = await this.#validator.live(userId);
    return live.sort((a, b) => b.lastActiveAt - a.lastActiveAt).map(toSession);
  }

  /**
   * Replaces a session's data with compare-and-set against `session.version`.
   * @throws ConflictError when the session changed since it was read; NotFoundError when it is gone.
   */
  async update(session: Pick<Session, 'id' | 'version'>, data: SessionData): Promise<Session> {
    const { store } = this.#ctx;
    const record = await store.get(session.id);
    if (!record) throw new NotFoundError();
    if (record.version !== session.version) throw new ConflictError();
    const next: SessionRecord = { ...record, data, version: record.version + 1 };
    if (!(await store.update(next, record.version))) throw new ConflictError();
    return toSession(next);
  }

  /**
   * Throws {@link NotFreshError} unless the user authenticated within `maxAge` (step-up for
   * sensitive actions).
   */
  requireFresh(auth: { authenticatedAt: number | null }, maxAge: Duration): void {
    const maxAgeMs = durationMs(maxAge, 'requireFresh(maxAge)');
    if (auth.authenticatedAt === null || this.#ctx.now() - auth.authenticatedAt > maxAgeMs) {
      throw new NotFreshError(maxAgeMs);
    }
  }

  /** Reaps expired records where the store has no native TTL. Schedule it (the docs show how). */
  async cleanup(): Promise<number> {
    return this.#ctx.store.deleteExpired(this.#ctx.now());
  }

  /** Cookies that clear every auth cookie (logout), with the attributes they were set with. */
  clearCookies(): CookieInstruction[] {
    return [...clearCookies(this.cookies), ...this.guest.clearCookies()];
  }

  /**
   * Stops listening for broadcasts and syncing the revocation replica, and resolves once a sync in
   * flight has settled: close the store after it. The store stays open: it is yours to close.
   *
   * @example
   * ```ts
   * await sess.close();
   * await store.close();
   * ```
   */
  close(): Promise<void> {
    this.#unsubscribe?.();
    return this.#ctx.cache.replica?.stop() ?? Promise.resolve();
  }
}
