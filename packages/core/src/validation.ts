import { isGuestUserId } from './config/guest.ts';
import type { CookieInstruction } from './cookies/index.ts';
import { formatCredential, parseCredential } from './credential.ts';
import type { BindingMismatch, DeviceBinding, RequestInfo } from './device-binding.ts';
import { ExpiredError, InvalidCredentialError, NoCredentialError, RevokedError } from './errors.ts';
import type { Issuer } from './issuing.ts';
import type { AccessClaims } from './jwt/access-token.ts';
import type { AccessTokenVerifier } from './jwt/access-verifier.ts';
import type { ManagerContext } from './manager-context.ts';
import { type Validated, ValidatedResult } from './results.ts';
import type { Revoker } from './revocation.ts';
import { matchSecret, type Rotation } from './rotation.ts';
import { type Session, toSession } from './session.ts';
import type { SessionRecord } from './store.ts';
import { sha256, sha256Sync } from './util/crypto.ts';
import { RecentCache } from './util/recent-cache.ts';

const NO_COOKIES: readonly CookieInstruction[] = Object.freeze([]);

/** The parts validation works with, besides the shared context. */
export interface ValidatorParts {
  readonly verifier: AccessTokenVerifier | null;
  readonly binding: DeviceBinding;
  readonly rotation: Rotation;
  readonly revoker: Revoker;
  readonly issuer: Issuer;
}

/**
 * Validation: the request path of every strategy, and the checks `refresh` and `regenerate` share
 * (expiry, watermark, binding, loading a record). Internal to the session manager.
 */
export class Validator {
  readonly #ctx: ManagerContext;
  readonly #parts: ValidatorParts;
  readonly #bindingChecked: boolean;
  readonly #tokenKeys = new WeakMap<AccessClaims, readonly [string, string]>();
  /** Sessions whose timeout this process already reported, so `session.expired` counts each once. */
  readonly #expiredSeen = new RecentCache<true>(10_000);

  constructor(ctx: ManagerContext, parts: ValidatorParts) {
    this.#ctx = ctx;
    this.#parts = parts;
    this.#bindingChecked = parts.binding.active;
  }

  /** See `SessionManager.validate`. */
  validate(token: string | null | undefined, request?: RequestInfo): Promise<Validated> {
    // Not async itself: the strategy's own promise is the only one on the hot path.
    if (typeof token !== 'string' || token.length === 0) {
      return Promise.reject(new NoCredentialError());
    }
    const strategy = this.#ctx.strategy;
    if (strategy === 'database') return this.#validateCredential(token, request);
    let claims: AccessClaims | undefined;
    try {
      // One clock read per request: on a VM without a fast clock source each costs a system call.
      const now = this.#ctx.now();
      claims = this.#claimsSync(token, now);
      if (claims !== undefined && strategy === 'jwt') {
        const known = this.#validateClaimsSync(claims, request, now);
        if (known !== undefined) return Promise.resolve(known);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#validateAccessToken(token, request, claims);
  }

  /**
   * A token's claims without a promise: from the verified-token cache, or verified at once (HS256
   * on node:crypto). Undefined when only the asynchronous verification can tell; throws as it would.
   */
  #claimsSync(token: string, now: number): AccessClaims | undefined {
    const verifier = this.#parts.verifier!;
    const claims = verifier.cached(token, now);
    if (claims === undefined) return verifier.verifySync(token, now);
    verifier.hits++;
    return claims;
  }

  async #validateCredential(token: string, request: RequestInfo | undefined): Promise<Validated> {
    const ctx = this.#ctx;
    const { rotation } = this.#parts;
    const parsed = parseCredential(token);
    if (!parsed) throw new InvalidCredentialError('malformed');
    const stored = await ctx.store.get(parsed.id);
    // The common case (node:crypto, fresh watermark, no binding policy, no touch due) awaits
    // nothing but the store read.
    const hash = sha256Sync(parsed.secret) ?? (await sha256(parsed.secret));
    let record = stored ?? (await this.#missing(parsed.id, hash));
    // A guest credential is never a user session (it has its own cookie and API).
    if (isGuestUserId(record.userId)) throw new InvalidCredentialError('type');
    const now = ctx.now();
    this.checkExpiry(record, now);
    const match = matchSecret(record, hash);
    if (match === 'none') throw new InvalidCredentialError('mismatch');
    const notBefore =
      ctx.cache.replica?.notBefore(record.userId, now) ??
      ctx.cache.peekNotBefore(record.userId, now) ??
      (await ctx.cache.notBefore(record.userId));
    if (record.createdAt <= notBefore) throw new RevokedError();
    if (this.#bindingChecked) await this.checkBinding(record, request);
    let renewed: string | null = null;
    if (match !== 'current') {
      renewed = await rotation.recover(record, parsed.secret, match, now);
    } else {
      const cls = ctx.cls(record.sessionClass);
      if (cls.renewalMs !== null && now - (record.rotatedAt ?? record.createdAt) >= cls.renewalMs) {
        ({ record, secret: renewed } = await rotation.rotate(record, parsed.secret, hash, now));
      } else if (rotation.touchDue(record, cls, now)) {
        record = await rotation.touch(record, cls, now);
      }
    }
    const credential = renewed ? formatCredential(record.id, renewed) : null;
    return new ValidatedResult({
      sessionId: record.id,
      userId: record.userId,
      session: toSession(record),
      claims: null,
      authenticatedAt: record.authenticatedAt,
      credential,
      cookies: credential ? [this.#parts.issuer.sessionCookie(record, credential)] : NO_COOKIES,
    });
  }

  /**
   * The jwt strategy's common case, synchronous: verified claims whose revocation answers the
   * replica (or fresh revocation-cache entries) give at once. Undefined when they do not (the full
   * path decides); throws RevokedError as the full path would. An async function's frame costs
   * hundreds of bytes per request; this path allocates the result alone.
   */
  #validateClaimsSync(
    claims: AccessClaims,
    request: RequestInfo | undefined,
    now: number,
  ): Validated | undefined {
    const { cache } = this.#ctx;
    const iatMs = claims.iat * 1000;
    let revoked = cache.replica?.revoked(claims.sid, claims.jti, claims.sub, iatMs, now);
    if (revoked === undefined) {
      const [sid, jti] = this.#denyKeys(claims);
      const sidDenied = cache.peekDenied(sid, now);
      const jtiDenied = cache.peekDenied(jti, now);
      const notBefore = cache.peekNotBefore(claims.sub, now);
      if (sidDenied === undefined || jtiDenied === undefined || notBefore === undefined) {
        return undefined;
      }
      revoked = sidDenied || jtiDenied || iatMs <= notBefore;
    }
    if (revoked) throw new RevokedError();
    if (this.#bindingChecked) {
      const mismatches = this.#parts.binding.compareClaim(claims.bnd, request);
      if (mismatches === undefined || mismatches.length > 0) return undefined; // the full path acts
    }
    return accessResult(claims, null, accessAuthTime(claims));
  }

  async #validateAccessToken(
    token: string,
    request: RequestInfo | undefined,
    verified: AccessClaims | undefined,
  ): Promise<Validated> {
    const ctx = this.#ctx;
    const { cache } = ctx;
    const { verifier, binding, rotation } = this.#parts;
    const now = ctx.now();
    const claims = verified ?? (await verifier!.verify(token, now));
    const iatMs = claims.iat * 1000;
    const revoked = cache.replica?.revoked(claims.sid, claims.jti, claims.sub, iatMs, now);
    if (revoked) throw new RevokedError();
    // The watermark, when the replica could not answer and the cache was asked.
    const watermark =
      revoked === undefined ? await this.#watermarkUnlessRevoked(claims, iatMs, now) : null;
    let session: Session | null = null;
    let authenticatedAt = accessAuthTime(claims);
    if (ctx.strategy === 'jwt' && this.#bindingChecked) {
      const mismatches =
        binding.compareClaim(claims.bnd, request) ??
        (await binding.compareClaimAsync(claims.bnd, request));
      await this.#actOnBinding(mismatches, claims.sid, claims.sub);
    }
    if (ctx.strategy === 'hybrid') {
      // The token's signature proves it was issued for this session: a timeout may be reported.
      let record =
        (await ctx.store.get(claims.sid)) ??
        (await this.#timedOut(claims.sid, (r) => r.userId === claims.sub));
      if (!record || record.userId !== claims.sub) throw new RevokedError();
      this.checkExpiry(record, now);
      const notBefore =
        watermark ??
        cache.replica?.notBefore(claims.sub, now) ??
        cache.peekNotBefore(claims.sub, now) ??
        (await cache.notBefore(claims.sub));
      if (record.createdAt <= notBefore) throw new RevokedError();
      if (this.#bindingChecked) await this.checkBinding(record, request);
      const cls = ctx.cls(record.sessionClass);
      if (rotation.touchDue(record, cls, now)) record = await rotation.touch(record, cls, now);
      session = toSession(record);
      authenticatedAt = record.authenticatedAt;
    }
    return accessResult(claims, session, authenticatedAt);
  }

  /**
   * The user's watermark, asked of the revocation cache (which reads through to the store), after
   * checking the token against it and the deny-list: throws RevokedError when revoked.
   */
  async #watermarkUnlessRevoked(claims: AccessClaims, iatMs: number, now: number): Promise<number> {
    const { cache } = this.#ctx;
    const [sid, jti] = this.#denyKeys(claims);
    const userId = claims.sub;
    if (
      (cache.peekDenied(sid, now) ?? (await cache.isDenied(sid))) ||
      (cache.peekDenied(jti, now) ?? (await cache.isDenied(jti)))
    ) {
      throw new RevokedError();
    }
    const notBefore = cache.peekNotBefore(userId, now) ?? (await cache.notBefore(userId));
    // iat has one-second resolution: a token issued in the same second as a watermark is refused.
    if (iatMs <= notBefore) throw new RevokedError();
    return notBefore;
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

  /** A user's records that are neither expired nor behind a watermark (revokeEverything leaves them in place). */
  async live(userId: string): Promise<SessionRecord[]> {
    const ctx = this.#ctx;
    const now = ctx.now();
    const [records, notBefore] = await Promise.all([
      ctx.store.listByUser(userId),
      ctx.cache.notBefore(userId),
    ]);
    return records.filter((r) => r.expiresAt > now && r.createdAt > notBefore);
  }

  /** Throws ExpiredError past the record's deadline, reporting `session.expired` once per session. */
  checkExpiry(record: SessionRecord, now: number): void {
    if (now < record.expiresAt) return;
    // The deadline that ended it: idle, unless activity kept it alive up to the absolute one.
    const limit =
      record.idleExpiresAt < record.absoluteExpiresAt && now >= record.idleExpiresAt
        ? 'idle'
        : 'absolute';
    if (this.#expiredSeen.get(record.id) === undefined) {
      this.#expiredSeen.set(record.id, true);
      this.#ctx.events.emit('session.expired', {
        sessionId: record.id,
        userId: record.userId,
        limit,
        durationMs: record.expiresAt - record.createdAt,
      });
    }
    throw new ExpiredError(limit);
  }

  /**
   * The record of `id`, or (for {@link checkExpiry} to report) the expired one still retained when
   * `hash` matches one of its secrets (null: the caller holds the session by other means).
   */
  async load(id: string, hash: string | null): Promise<SessionRecord> {
    const record = (await this.#ctx.store.get(id)) ?? (await this.#missing(id, hash));
    if (isGuestUserId(record.userId)) throw new InvalidCredentialError('type');
    return record;
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
    const ended = await this.#ctx.store.getExpired(id);
    return ended !== null && ended.expiresAt <= this.#ctx.now() && held(ended) ? ended : null;
  }

  /** The expired record for {@link checkExpiry} to report, or the 401 of an unknown credential. */
  async #missing(id: string, hash: string | null): Promise<SessionRecord> {
    const ended = await this.#timedOut(id, (r) => hash === null || matchSecret(r, hash) !== 'none');
    if (ended === null) throw new InvalidCredentialError('unknown');
    return ended;
  }

  async checkWatermark(record: SessionRecord): Promise<void> {
    if (record.createdAt <= (await this.#ctx.cache.notBefore(record.userId))) {
      throw new RevokedError();
    }
  }

  /** The binding checks against the record, when a policy is not `off`. */
  checkBinding(record: SessionRecord, request: RequestInfo | undefined): Promise<void> {
    if (!this.#bindingChecked) return Promise.resolve();
    const mismatches = this.#parts.binding.compare(record.meta, request);
    return this.#actOnBinding(mismatches, record.id, record.userId);
  }

  /** Emits `session.anomaly` per mismatch; a `revoke` policy ends the session and refuses. */
  async #actOnBinding(
    mismatches: readonly BindingMismatch[],
    sessionId: string,
    userId: string,
  ): Promise<void> {
    if (mismatches.length === 0) return;
    for (const { kind, action } of mismatches) {
      this.#ctx.events.emit('session.anomaly', { sessionId, userId, kind, action });
    }
    if (mismatches.some((m) => m.action === 'revoke')) {
      await this.#parts.revoker.end(sessionId, userId, 'binding');
      throw new RevokedError();
    }
  }
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
  return new ValidatedResult({
    sessionId: claims.sid,
    userId: claims.sub,
    session,
    claims,
    authenticatedAt,
    credential: null,
    cookies: NO_COOKIES,
  });
}
