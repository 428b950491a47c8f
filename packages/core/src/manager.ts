import {
  type ResolvedConfig,
  type ResolvedSessionClass,
  resolveConfig,
  type SessionManagerOptions,
  type Strategy,
} from './config.ts';
import type { CookieInstruction, ResolvedCookies } from './cookies/index.ts';
import { clearCookies, refreshCookie, sessionCookie } from './cookies/index.ts';
import { formatCredential, parseCredential } from './credential.ts';
import {
  type CsrfProtection,
  type CsrfRequestContext,
  createCsrfProtection,
} from './csrf/index.ts';
import {
  type AnySessError,
  ConfigError,
  ConflictError,
  CsrfError,
  ExpiredError,
  InvalidCredentialError,
  isSessError,
  NotFoundError,
  NotFreshError,
  RefreshReuseError,
  RevokedError,
  SessionLimitError,
} from './errors.ts';
import {
  EventHub,
  defaultLogger,
  type Logger,
  type LoginFailureReason,
  type MetricsSnapshot,
  type RevokeReason,
  type SessEventListener,
  type SessEventName,
} from './events.ts';
import { AnomalyDetector } from './anomalies.ts';
import { type BindingMismatch, DeviceBinding, type RequestInfo } from './device-binding.ts';
import { GuardedStore } from './guarded-store.ts';
import { type AccessClaims, signAccessToken } from './jwt/access-token.ts';
import { AccessTokenVerifier } from './jwt/access-verifier.ts';
import type { Keyring } from './jwt/keyring.ts';
import { newRecord, touched } from './record.ts';
import { opaque } from './redact.ts';
import type { RequestLike } from './request.ts';
import { type Issued, IssuedResult, type Validated, ValidatedResult } from './results.ts';
import { RevocationCache } from './revocation-cache.ts';
import { matchSecret, Rotator, rotated } from './rotation.ts';
import { type Session, toSession } from './session.ts';
import { RecentCache } from './util/recent-cache.ts';
import { GLOBAL_SCOPE, type SessionData, type SessionMeta, type SessionRecord } from './store.ts';
import { deriveKey, hmac, importHmacKey, sha256, sha256Sync } from './util/crypto.ts';
import type { Duration } from './util/duration.ts';
import { durationMs } from './util/duration.ts';

export type { RequestInfo };

/** What the app reports about a login it refused ({@link SessionManager.loginFailed}). */
export interface LoginFailure {
  /** Why, from a fixed vocabulary. @default 'invalid-credentials' */
  reason?: LoginFailureReason;
  /** The account name tried (an email, say): hashed with a server key before any event or log sees it. */
  account?: string | null;
  /** The client IP. */
  ip?: string | null;
}

/** Options of {@link SessionManager.create}. */
export interface CreateOptions {
  /** The application's session data. @default {} */
  data?: SessionData;
  /** Device facts; `request` fills userAgent and ip when they are not given here. */
  meta?: SessionMeta;
  /** The request the login came from. */
  request?: RequestInfo;
  /** The session class whose timeouts apply. @default 'standard' */
  sessionClass?: string;
}

const MAX_USER_ID = 256;
const NO_COOKIES: readonly CookieInstruction[] = Object.freeze([]);
const CAS_ATTEMPTS = 4;

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
  readonly #config: ResolvedConfig;
  readonly #store: GuardedStore;
  readonly #events: EventHub;
  readonly #logger: Logger;
  readonly #rotator: Rotator;
  readonly #cache: RevocationCache;
  readonly #verifier: AccessTokenVerifier | null;
  readonly #tokenKeys = new WeakMap<AccessClaims, readonly [string, string]>();
  readonly #binding: DeviceBinding;
  readonly #bindingChecked: boolean;
  readonly #accountKey: Promise<CryptoKey>;
  /** Sessions whose timeout this process already reported, so `session.expired` counts each once. */
  readonly #expiredSeen = new RecentCache<true>(10_000);
  readonly #anomalies: AnomalyDetector;
  readonly #unsubscribe: (() => void) | null;

  /** @internal Use {@link createSessionManager}. */
  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#binding = new DeviceBinding(
      config.binding,
      Promise.all(config.secrets.map((s) => deriveKey(s, 'binding'))),
    );
    this.#bindingChecked = this.#binding.active;
    this.#accountKey = deriveKey(config.secrets[0]!, 'account').then(importHmacKey);
    this.#accountKey.catch(() => {}); // surfaced on first use
    this.strategy = config.strategy;
    this.#logger = config.logger ?? defaultLogger;
    this.#events = new EventHub(this.#logger);
    this.#anomalies = new AnomalyDetector(config.anomalies, this.#events);
    this.#store = new GuardedStore(config.store, this.#events, this.#logger);
    this.#rotator = new Rotator(Promise.all(config.secrets.map((s) => deriveKey(s, 'rotation'))));
    this.csrf = config.csrf
      ? this.#observed(createCsrfProtection(config.csrf, deriveKey(config.secrets[0]!, 'csrf')))
      : null;
    this.cookies = config.cookies;
    this.keyring = config.jwt?.keyring ?? null;
    this.#verifier = config.jwt
      ? new AccessTokenVerifier(config.jwt.keyring, config.jwt, config.jwt.tokenCacheSize)
      : null;
    this.#cache = new RevocationCache(
      this.#store,
      config.stalenessMs,
      config.maxCacheEntries,
      config.clock,
    );
    this.#unsubscribe = config.store.subscribe?.((event) => this.#cache.apply(event)) ?? null;
    opaque(this, { strategy: this.strategy, store: this.#store.name });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends SessEventName>(name: E, listener: SessEventListener<E>): () => void {
    return this.#events.on(name, listener);
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
  async loginFailed(failure: LoginFailure = {}): Promise<void> {
    const account =
      typeof failure.account === 'string' && failure.account.length > 0
        ? (await hmac(await this.#accountKey, failure.account.trim().toLowerCase())).slice(0, 22)
        : null;
    const reason = LOGIN_REASONS.has(failure.reason as string)
      ? (failure.reason as LoginFailureReason)
      : 'invalid-credentials';
    const ip = boundedIp(failure.ip);
    this.#events.emit('login.failed', { reason, account, ip });
    this.#anomalies.loginFailed(account, ip, this.#config.clock.now());
  }

  /**
   * Reports a credential refused at the HTTP layer (the bindings call it for every 401 they
   * answer): emits `credential.refused` with the error's code and reason, never the credential.
   */
  credentialRefused(error: AnySessError, via: 'cookie' | 'bearer' | 'refresh'): void {
    const reason = (error as { reason?: unknown }).reason;
    this.#events.emit('credential.refused', {
      code: error.code,
      reason: typeof reason === 'string' ? reason : null,
      via,
    });
  }

  /** Reports a rate limit that ran out (the bindings' `rateLimit` calls it): `ratelimit.exceeded`. */
  rateLimited(route: string): void {
    this.#events.emit('ratelimit.exceeded', { route: ROUTE_NAME.test(route) ? route : 'other' });
  }

  /** A snapshot of event counters and store-call latency. */
  metrics(): MetricsSnapshot {
    return this.#events.snapshot(this.#cache.size);
  }

  /**
   * Starts a session for `userId` (after the app has verified the user). Enforces
   * `maxSessionsPerUser`. Returns the credential, the access token (jwt, hybrid) and the cookies.
   */
  async create(userId: string, options: CreateOptions = {}): Promise<Issued> {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID) {
      throw new ConfigError([
        'create: userId must be a non-empty string of at most 256 characters',
      ]);
    }
    const sessionClass = options.sessionClass ?? 'standard';
    const cls = this.#class(sessionClass);
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
      this.#config.clock.now(),
    );
    if (this.#config.maxSessions) await this.#createCapped(record, this.#config.maxSessions);
    else await this.#store.create(record);
    this.#events.emit('session.created', { sessionId: record.id, userId, sessionClass });
    this.#anomalies.loggedIn(userId, boundedIp(record.meta.ip), record.createdAt);
    return this.#issue(record, secret, false);
  }

  /**
   * Authenticates a request from the token it carries: the session credential (database strategy)
   * or the access JWT (jwt, hybrid). Checks expiry, revocation, watermarks and binding; touches the
   * session when the touch threshold is crossed; renews the credential when due.
   *
   * @throws InvalidCredentialError, ExpiredError, RevokedError, RefreshReuseError (401);
   *   StoreError (503) when the store fails: never a pass.
   */
  validate(token: string | null | undefined, request?: RequestInfo): Promise<Validated> {
    // Not async itself: the strategy's own promise is the only one on the hot path.
    if (typeof token !== 'string' || token.length === 0) {
      return Promise.reject(new InvalidCredentialError('missing'));
    }
    if (this.strategy === 'database') return this.#validateCredential(token, request);
    if (this.strategy === 'jwt') {
      try {
        const known = this.#validateKnownToken(token, request);
        if (known !== undefined) return Promise.resolve(known);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#validateAccessToken(token, request);
  }

  /**
   * Rotates a session credential (the refresh token) and issues a new access token. Idempotent: a
   * retry with the just-superseded secret inside the reuse window returns the same successor. A
   * superseded secret outside the window is theft: the session is revoked and
   * {@link RefreshReuseError} thrown. Never extends a session past its absolute lifetime.
   */
  async refresh(credential: string | null | undefined, request?: RequestInfo): Promise<Issued> {
    const parsed = parseCredential(credential);
    if (!parsed) throw new InvalidCredentialError(credential ? 'malformed' : 'missing');
    const hash = await sha256(parsed.secret);
    const record = await this.#load(parsed.id, hash);
    const now = this.#config.clock.now();
    this.#checkExpiry(record, now);
    await this.#checkWatermark(record);
    const match = matchSecret(record, hash);
    if (match === 'none') throw new InvalidCredentialError('mismatch');
    // A refresh is where the jwt strategy meets the record: the device is checked here too.
    if (this.#bindingChecked) await this.#checkBinding(record, request);
    if (match !== 'current') {
      const successor = await this.#recoverInWindow(record, parsed.secret, match, now);
      return this.#issueRefreshed(record, successor, true);
    }
    const { record: next, secret, won } = await this.#rotate(record, parsed.secret, hash, now);
    return this.#issueRefreshed(next, secret, !won);
  }

  /**
   * Replaces a live session with a new id and secret (on login or privilege change, against session
   * fixation). The old credential stops working at once; data and device facts carry over. The
   * absolute lifetime and the time of authentication carry over too, unless `authenticated` says
   * the user just proved who they are (then both start afresh, as at login).
   */
  async regenerate(sessionId: string, options: { authenticated?: boolean } = {}): Promise<Issued> {
    const old = await this.#load(sessionId, null);
    const now = this.#config.clock.now();
    this.#checkExpiry(old, now);
    await this.#checkWatermark(old);
    const { userId, sessionClass, data, meta } = old;
    const cls = this.#class(sessionClass);
    let { record, secret } = await newRecord({ userId, sessionClass, data, meta }, cls, now);
    if (!options.authenticated) {
      const { createdAt, authenticatedAt, absoluteExpiresAt } = old;
      record = touched({ ...record, createdAt, authenticatedAt, absoluteExpiresAt }, cls, now);
    }
    await this.#store.create(record);
    await this.#end(old.id, old.userId, 'regenerated', old.createdAt);
    this.#events.emit('session.created', {
      sessionId: record.id,
      userId: record.userId,
      sessionClass: record.sessionClass,
    });
    return this.#issue(record, secret, false);
  }

  /** Ends one session (logout): its credential and, in the jwt strategies, its access tokens stop working. */
  async revoke(sessionId: string, reason: RevokeReason = 'logout'): Promise<boolean> {
    const record = await this.#store.get(sessionId);
    return this.#end(sessionId, record?.userId ?? null, reason, record?.createdAt);
  }

  /**
   * Denies one access token (by its `jti`) until it expires, for example a token that leaked;
   * the session and its other tokens keep working. Jwt and hybrid strategies only.
   * @throws InvalidCredentialError when the token does not verify (it needs no revocation).
   */
  async revokeAccessToken(token: string): Promise<void> {
    const jwt = this.#config.jwt;
    if (this.strategy === 'database' || !jwt)
      throw new ConfigError(['revokeAccessToken: needs the jwt or hybrid strategy']);
    let claims: AccessClaims;
    try {
      claims = await this.#verifier!.verify(token, this.#config.clock.now());
    } catch (error) {
      if (isSessError(error) && error.code === ExpiredError.code) return; // dead already
      throw error;
    }
    const key = `jti:${claims.jti}`;
    const expiresAt = claims.exp * 1000 + jwt.clockSkewMs;
    await this.#store.deny(key, expiresAt);
    this.#published({ type: 'deny', key, expiresAt });
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
    const except = options.except ?? [];
    const now = this.#config.clock.now();
    if (except.length === 0) {
      await this.#raiseWatermark(userId);
    } else if (this.strategy !== 'database') {
      const sessions = await this.#store.listByUser(userId);
      for (const s of sessions) if (!except.includes(s.id)) await this.#denySession(s.id, now);
    }
    const count = await this.#store.deleteByUser(userId, except);
    this.#events.emit('session.revoked', { sessionId: null, userId, reason: 'user' });
    return count;
  }

  /** Incident response: every session and access token issued before now stops working, for every user. */
  async revokeEverything(): Promise<void> {
    await this.#raiseWatermark(GLOBAL_SCOPE);
    this.#events.emit('session.revoked', { sessionId: null, userId: null, reason: 'everything' });
  }

  /** The live sessions of a user ("your devices"), most recently active first. */
  async list(userId: string): Promise<Session[]> {
    const live = await this.#live(userId);
    return live.sort((a, b) => b.lastActiveAt - a.lastActiveAt).map(toSession);
  }

  /**
   * Replaces a session's data with compare-and-set against `session.version`.
   * @throws ConflictError when the session changed since it was read; NotFoundError when it is gone.
   */
  async update(session: Pick<Session, 'id' | 'version'>, data: SessionData): Promise<Session> {
    const record = await this.#store.get(session.id);
    if (!record) throw new NotFoundError();
    if (record.version !== session.version) throw new ConflictError();
    const next: SessionRecord = { ...record, data, version: record.version + 1 };
    if (!(await this.#store.update(next, record.version))) throw new ConflictError();
    return toSession(next);
  }

  /**
   * Throws {@link NotFreshError} unless the user authenticated within `maxAge` (step-up for
   * sensitive actions).
   */
  requireFresh(auth: { authenticatedAt: number | null }, maxAge: Duration): void {
    const maxAgeMs = durationMs(maxAge, 'requireFresh(maxAge)');
    if (
      auth.authenticatedAt === null ||
      this.#config.clock.now() - auth.authenticatedAt > maxAgeMs
    ) {
      throw new NotFreshError(maxAgeMs);
    }
  }

  /** Reaps expired records where the store has no native TTL. Schedule it (the docs show how). */
  async cleanup(): Promise<number> {
    return this.#store.deleteExpired(this.#config.clock.now());
  }

  /** Cookies that clear every auth cookie (logout), with the attributes they were set with. */
  clearCookies(): CookieInstruction[] {
    return clearCookies(this.#config.cookies);
  }

  /** Stops listening for broadcasts. The store stays open: it is yours to close. */
  close(): void {
    this.#unsubscribe?.();
  }

  // --- validation -------------------------------------------------------------------------------

  async #validateCredential(token: string, request: RequestInfo | undefined): Promise<Validated> {
    const parsed = parseCredential(token);
    if (!parsed) throw new InvalidCredentialError('malformed');
    const stored = await this.#store.get(parsed.id);
    // The common case (node:crypto, fresh watermark, no binding policy, no touch due) awaits
    // nothing but the store read.
    const hash = sha256Sync(parsed.secret) ?? (await sha256(parsed.secret));
    let record = stored ?? (await this.#missing(parsed.id, hash));
    const now = this.#config.clock.now();
    this.#checkExpiry(record, now);
    const match = matchSecret(record, hash);
    if (match === 'none') throw new InvalidCredentialError('mismatch');
    const notBefore =
      this.#cache.peekNotBefore(record.userId, now) ?? (await this.#cache.notBefore(record.userId));
    if (record.createdAt <= notBefore) throw new RevokedError();
    if (this.#bindingChecked) await this.#checkBinding(record, request);
    let renewed: string | null = null;
    if (match !== 'current') {
      renewed = await this.#recoverInWindow(record, parsed.secret, match, now);
    } else {
      const cls = this.#class(record.sessionClass);
      if (cls.renewalMs !== null && now - (record.rotatedAt ?? record.createdAt) >= cls.renewalMs) {
        ({ record, secret: renewed } = await this.#rotate(record, parsed.secret, hash, now));
      } else if (this.#touchDue(record, cls, now)) {
        record = await this.#touch(record, cls, now);
      }
    }
    const credential = renewed ? formatCredential(record.id, renewed) : null;
    const cookies = credential ? [this.#sessionCookie(record, credential)] : NO_COOKIES;
    const { id, userId, authenticatedAt } = record;
    return new ValidatedResult(
      id,
      userId,
      toSession(record),
      null,
      authenticatedAt,
      credential,
      cookies,
    );
  }

  /**
   * The jwt strategy's common case, synchronous: a token in the verified-token cache whose
   * revocation answers are all fresh in the revocation cache. Undefined when any of them is not
   * (the full path decides); throws RevokedError as the full path would. An async function's
   * frame costs hundreds of bytes per request; this path allocates the result alone.
   */
  #validateKnownToken(token: string, request: RequestInfo | undefined): Validated | undefined {
    const now = this.#config.clock.now();
    const claims = this.#verifier!.cached(token, now);
    if (claims === undefined) return undefined;
    const cache = this.#cache;
    const [sid, jti] = this.#denyKeys(claims);
    const sidDenied = cache.peekDenied(sid, now);
    const jtiDenied = cache.peekDenied(jti, now);
    const notBefore = cache.peekNotBefore(claims.sub, now);
    if (sidDenied === undefined || jtiDenied === undefined || notBefore === undefined) {
      return undefined;
    }
    if (sidDenied || jtiDenied || claims.iat * 1000 <= notBefore) throw new RevokedError();
    if (this.#bindingChecked) {
      const mismatches = this.#binding.compareClaim(claims.bnd, request);
      if (mismatches === undefined || mismatches.length > 0) return undefined; // the full path acts
    }
    return accessResult(claims, null, accessAuthTime(claims));
  }

  async #validateAccessToken(token: string, request: RequestInfo | undefined): Promise<Validated> {
    const now = this.#config.clock.now();
    const verifier = this.#verifier!;
    const cache = this.#cache;
    const claims = verifier.cached(token, now) ?? (await verifier.verify(token, now));
    const [sid, jti] = this.#denyKeys(claims);
    if (
      (cache.peekDenied(sid, now) ?? (await cache.isDenied(sid))) ||
      (cache.peekDenied(jti, now) ?? (await cache.isDenied(jti)))
    ) {
      throw new RevokedError();
    }
    const notBefore = cache.peekNotBefore(claims.sub, now) ?? (await cache.notBefore(claims.sub));
    // iat has one-second resolution: a token issued in the same second as a watermark is refused (fail closed).
    if (claims.iat * 1000 <= notBefore) throw new RevokedError();
    let session: Session | null = null;
    let authenticatedAt = accessAuthTime(claims);
    if (this.strategy === 'jwt' && this.#bindingChecked) {
      const mismatches =
        this.#binding.compareClaim(claims.bnd, request) ??
        (await this.#binding.compareClaimAsync(claims.bnd, request));
      await this.#actOnBinding(mismatches, claims.sid, claims.sub);
    }
    if (this.strategy === 'hybrid') {
      // The token's signature proves it was issued for this session: a timeout may be reported.
      let record =
        (await this.#store.get(claims.sid)) ??
        (await this.#timedOut(claims.sid, (r) => r.userId === claims.sub));
      if (!record || record.userId !== claims.sub) throw new RevokedError();
      this.#checkExpiry(record, now);
      if (record.createdAt <= notBefore) throw new RevokedError(); // same user: the watermark read above
      if (this.#bindingChecked) await this.#checkBinding(record, request);
      const cls = this.#class(record.sessionClass);
      if (this.#touchDue(record, cls, now)) record = await this.#touch(record, cls, now);
      session = toSession(record);
      authenticatedAt = record.authenticatedAt;
    }
    return accessResult(claims, session, authenticatedAt);
  }

  /** The deny-list keys of a token, made once per verified claims object (cached tokens reuse it). */
  #denyKeys(claims: AccessClaims): readonly [sid: string, jti: string] {
    let keys = this.#tokenKeys.get(claims);
    if (keys === undefined) {
      keys = [`sid:${claims.sid}`, `jti:${claims.jti}`];
      this.#tokenKeys.set(claims, keys);
    }
    return keys;
  }

  #checkExpiry(record: SessionRecord, now: number): void {
    if (now < record.expiresAt) return;
    // The deadline that ended it: idle, unless activity kept it alive up to the absolute one.
    const limit =
      record.idleExpiresAt < record.absoluteExpiresAt && now >= record.idleExpiresAt
        ? 'idle'
        : 'absolute';
    if (this.#expiredSeen.get(record.id) === undefined) {
      this.#expiredSeen.set(record.id, true);
      this.#events.emit('session.expired', {
        sessionId: record.id,
        userId: record.userId,
        limit,
        durationMs: record.expiresAt - record.createdAt,
      });
    }
    throw new ExpiredError(limit);
  }

  /**
   * A session the store no longer returns: an expired record still retained, handed back only to
   * a caller that proves it held the session (`held`: its secret, or a token signed for it), so
   * its timeout can be reported; else null. A guessed id never learns whether it existed.
   */
  async #timedOut(
    id: string,
    held: (record: SessionRecord) => boolean,
  ): Promise<SessionRecord | null> {
    const ended = await this.#store.getExpired(id);
    return ended !== null && ended.expiresAt <= this.#config.clock.now() && held(ended)
      ? ended
      : null;
  }

  /** The expired record for {@link #checkExpiry} to report, or the 401 of an unknown credential. */
  async #missing(id: string, hash: string | null): Promise<SessionRecord> {
    const ended = await this.#timedOut(id, (r) => hash === null || matchSecret(r, hash) !== 'none');
    if (ended === null) throw new InvalidCredentialError('unknown');
    return ended;
  }

  async #checkWatermark(record: SessionRecord): Promise<void> {
    if (record.createdAt <= (await this.#cache.notBefore(record.userId))) throw new RevokedError();
  }

  /** The binding checks against the record; only called when a policy is not `off`. */
  #checkBinding(record: SessionRecord, request: RequestInfo | undefined): Promise<void> {
    return this.#actOnBinding(
      this.#binding.compare(record.meta, request),
      record.id,
      record.userId,
    );
  }

  /** Emits `session.anomaly` per mismatch; a `revoke` policy ends the session and refuses. */
  async #actOnBinding(
    mismatches: readonly BindingMismatch[],
    sessionId: string,
    userId: string,
  ): Promise<void> {
    if (mismatches.length === 0) return;
    for (const { kind, action } of mismatches) {
      this.#events.emit('session.anomaly', { sessionId, userId, kind, action });
    }
    if (mismatches.some((m) => m.action === 'revoke')) {
      await this.#end(sessionId, userId, 'binding');
      throw new RevokedError();
    }
  }

  // --- rotation ---------------------------------------------------------------------------------

  /**
   * A presented secret that is not the current one: inside the reuse window the previous secret
   * recovers the same successor; anything else is theft and revokes the whole session.
   */
  async #recoverInWindow(
    record: SessionRecord,
    secret: string,
    match: 'previous' | 'retired',
    now: number,
  ): Promise<string> {
    if (
      match === 'previous' &&
      record.rotatedAt !== null &&
      now - record.rotatedAt <= this.#config.reuseWindowMs
    ) {
      const successor = await this.#rotator.recover(record, secret);
      if (successor) return successor;
    }
    this.#events.emit('refresh.reused', { sessionId: record.id, userId: record.userId });
    this.#anomalies.reused(record.id);
    await this.#end(record.id, record.userId, 'reuse', record.createdAt);
    throw new RefreshReuseError(record.id);
  }

  /**
   * Moves `record` from the presented secret to its derived successor by compare-and-set. A racer
   * that loses finds the winner's successor equal to its own and returns it: nothing forks.
   */
  async #rotate(
    record: SessionRecord,
    secret: string,
    hash: string,
    now: number,
  ): Promise<{ record: SessionRecord; secret: string; won: boolean }> {
    const successor = await this.#rotator.successor(record.id, record.generation, secret);
    const successorHash = await sha256(successor);
    let current = record;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const next = touched(
        rotated(current, hash, successorHash, now),
        this.#class(current.sessionClass),
        now,
      );
      if (await this.#store.update(next, current.version)) {
        this.#events.emit('session.refreshed', {
          sessionId: next.id,
          userId: next.userId,
          generation: next.generation,
          retry: false,
        });
        return { record: next, secret: successor, won: true };
      }
      const fresh = await this.#store.get(record.id);
      if (!fresh) throw new RevokedError();
      if (fresh.secretHash === successorHash)
        return { record: fresh, secret: successor, won: false };
      if (fresh.secretHash !== hash) throw new InvalidCredentialError('mismatch');
      current = fresh; // a touch or data update moved the version: rotate again from it
    }
    throw new ConflictError();
  }

  /** Whether the touch threshold has passed: below it, validation writes nothing. */
  #touchDue(record: SessionRecord, cls: ResolvedSessionClass, now: number): boolean {
    return now - record.lastActiveAt >= cls.idleMs * this.#config.touchFraction;
  }

  /** Slides the idle deadline (call when {@link #touchDue}). */
  async #touch(
    record: SessionRecord,
    cls: ResolvedSessionClass,
    now: number,
  ): Promise<SessionRecord> {
    const next = touched({ ...record, version: record.version + 1 }, cls, now);
    // Losing the race means someone else just touched or changed it: the request is still valid.
    return (await this.#store.update(next, record.version)) ? next : record;
  }

  // --- issuing ----------------------------------------------------------------------------------

  async #issueRefreshed(record: SessionRecord, secret: string, retry: boolean): Promise<Issued> {
    // Closes the race with a concurrent "log out everywhere": sign first (fixing the token's
    // iat), then ask the store, not the cache. If this read misses the watermark, the token was
    // signed before it landed, and the second watermark `#raiseWatermark` takes once the first
    // is in place covers it; signed after the read, it could outlive both.
    const issued = await this.#issue(record, secret, retry);
    const notBefore = await this.#store.getNotBefore(record.userId);
    if (record.createdAt <= notBefore) throw new RevokedError();
    if (retry) {
      this.#events.emit('session.refreshed', {
        sessionId: record.id,
        userId: record.userId,
        generation: record.generation,
        retry,
      });
    }
    return issued;
  }

  async #issue(record: SessionRecord, secret: string, retry: boolean): Promise<Issued> {
    const credential = formatCredential(record.id, secret);
    const jwt = this.#config.jwt;
    let accessToken: string | null = null;
    let expiresIn: number | null = null;
    const cookies: CookieInstruction[] = [];
    if (this.strategy === 'database') {
      cookies.push(this.#sessionCookie(record, credential));
    } else {
      const now = this.#config.clock.now();
      // Never past the session's own end (idle or absolute): an ended session has no live token.
      const lifetimeMs = Math.min(jwt!.lifetimeMs, record.expiresAt - now);
      if (lifetimeMs < 1000) {
        throw new ExpiredError(record.expiresAt < record.absoluteExpiresAt ? 'idle' : 'absolute');
      }
      const session = toSession(record);
      const claims = jwt!.claims?.(session);
      // Only jwt reads no record per request: its tokens carry the device they are bound to.
      const bnd = this.strategy === 'jwt' ? await this.#binding.claim(record.meta) : undefined;
      const signed = await signAccessToken(
        jwt!.keyring,
        { ...jwt!, lifetimeMs },
        { sub: record.userId, sid: record.id, now, authTime: record.authenticatedAt, claims, bnd },
      );
      accessToken = signed.token;
      expiresIn = Math.floor(lifetimeMs / 1000);
      cookies.push(sessionCookie(this.#config.cookies, accessToken, expiresIn));
      cookies.push(refreshCookie(this.#config.cookies, credential, this.#cookieMaxAge(record)));
    }
    return new IssuedResult(toSession(record), credential, accessToken, expiresIn, cookies, retry);
  }

  #sessionCookie(record: SessionRecord, credential: string): CookieInstruction {
    return sessionCookie(this.#config.cookies, credential, this.#cookieMaxAge(record));
  }

  #cookieMaxAge(record: SessionRecord): number | undefined {
    if (!this.#class(record.sessionClass).persistent) return undefined;
    return Math.max(0, Math.floor((record.absoluteExpiresAt - this.#config.clock.now()) / 1000));
  }

  // --- revocation -------------------------------------------------------------------------------

  async #end(
    sessionId: string,
    userId: string | null,
    reason: RevokeReason,
    createdAt?: number,
  ): Promise<boolean> {
    const now = this.#config.clock.now();
    if (this.strategy !== 'database') await this.#denySession(sessionId, now);
    const deleted = await this.#store.delete(sessionId);
    if (deleted) {
      this.#events.emit(
        'session.revoked',
        createdAt === undefined
          ? { sessionId, userId, reason }
          : { sessionId, userId, reason, durationMs: now - createdAt },
      );
    }
    return deleted;
  }

  /**
   * Raises a watermark to now and, if the clock moved while that write landed, once more: a
   * refresh whose watermark read ran before the first write landed may have signed a token after
   * it, and the second covers that token (a refresh signing later reads the first and is refused).
   */
  async #raiseWatermark(scope: string): Promise<void> {
    const now = this.#config.clock.now();
    await this.#store.setNotBefore(scope, now);
    this.#published({ type: 'not-before', scope, at: now });
    const landed = this.#config.clock.now();
    if (landed > now) {
      await this.#store.setNotBefore(scope, landed);
      this.#published({ type: 'not-before', scope, at: landed });
    }
  }

  async #denySession(sessionId: string, now: number): Promise<void> {
    const jwt = this.#config.jwt!;
    const expiresAt = now + jwt.lifetimeMs + jwt.clockSkewMs;
    const key = `sid:${sessionId}`;
    await this.#store.deny(key, expiresAt);
    this.#published({ type: 'deny', key, expiresAt });
  }

  /** Applies a revocation to this instance's cache at once, whether or not the store broadcasts. */
  #published(event: Parameters<RevocationCache['apply']>[0]): void {
    this.#cache.apply(event);
    const scope = event.type === 'deny' ? event.key : event.scope;
    this.#events.emit('revocation.published', { kind: event.type, scope });
  }

  /**
   * Creates `record` within the user's cap, atomically in the store: concurrent logins can never
   * leave more than `limit` live sessions. Evicted sessions are then deny-listed (jwt strategies)
   * and reported like any revocation.
   */
  async #createCapped(
    record: SessionRecord,
    { limit, policy }: { limit: number; policy: 'evict-oldest' | 'reject' },
  ): Promise<void> {
    const now = this.#config.clock.now();
    const { created, evicted } = await this.#store.createCapped(record, {
      max: limit,
      evictOldest: policy === 'evict-oldest',
      notBefore: await this.#cache.notBefore(record.userId),
      now,
    });
    for (const sessionId of evicted) {
      if (this.strategy !== 'database') await this.#denySession(sessionId, now);
      this.#events.emit('session.revoked', { sessionId, userId: record.userId, reason: 'evicted' });
    }
    if (!created) throw new SessionLimitError(limit);
  }

  // --- plumbing ---------------------------------------------------------------------------------

  /** A user's records that are neither expired nor behind a watermark (revokeEverything leaves them in place). */
  async #live(userId: string): Promise<SessionRecord[]> {
    const now = this.#config.clock.now();
    const [records, notBefore] = await Promise.all([
      this.#store.listByUser(userId),
      this.#cache.notBefore(userId),
    ]);
    return records.filter((r) => r.expiresAt > now && r.createdAt > notBefore);
  }

  /** Wraps CSRF protection so every refusal is also an event. */
  #observed(csrf: CsrfProtection): CsrfProtection {
    return Object.freeze({
      ...csrf,
      protect: async (req: RequestLike, context?: CsrfRequestContext): Promise<void> => {
        try {
          await csrf.protect(req, context);
        } catch (error) {
          if (isSessError(error) && error.code === CsrfError.code) {
            // The method is client input: bounded before it reaches a log line.
            this.#events.emit('csrf.rejected', {
              reason: error.reason,
              method: req.method.slice(0, 16),
            });
          }
          throw error;
        }
      },
    });
  }

  /**
   * The record of `id`, or (for {@link #checkExpiry} to report) the expired one still retained when
   * `hash` matches one of its secrets (null: the caller holds the session by other means).
   */
  async #load(id: string, hash: string | null): Promise<SessionRecord> {
    return (await this.#store.get(id)) ?? this.#missing(id, hash);
  }

  #class(name: string): ResolvedSessionClass {
    const cls = this.#config.classes.get(name);
    if (!cls) throw new ConfigError([`sessionClass: unknown session class "${name}"`]);
    return cls;
  }
}

const LOGIN_REASONS: ReadonlySet<string> = new Set<LoginFailureReason>([
  'invalid-credentials',
  'unknown-account',
  'bad-password',
  'locked',
  'disabled',
  'other',
]);
const ROUTE_NAME = /^[\w./:-]{1,64}$/;
const IP = /^[0-9a-fA-F.:]{2,45}$/;

/** The client IP for an event, or null when it is not shaped like one (it may come from a header). */
function boundedIp(ip: string | null | undefined): string | null {
  return typeof ip === 'string' && IP.test(ip) ? ip : null;
}

/** `auth_time` in epoch ms, when the token carries it. */
function accessAuthTime(claims: AccessClaims): number | null {
  return typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : null;
}

/** What validating an access token returns (no credential renewal: access tokens are not renewed). */
function accessResult(
  claims: AccessClaims,
  session: Session | null,
  authenticatedAt: number | null,
): Validated {
  return new ValidatedResult(
    claims.sid,
    claims.sub,
    session,
    claims,
    authenticatedAt,
    null,
    NO_COOKIES,
  );
}
