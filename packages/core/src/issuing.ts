import type { CookieInstruction } from './cookies/index.ts';
import { refreshCookie, sessionCookie } from './cookies/index.ts';
import { formatCredential } from './credential.ts';
import type { DeviceBinding } from './device-binding.ts';
import { ExpiredError, RevokedError } from './errors.ts';
import { signAccessToken } from './jwt/access-token.ts';
import type { ManagerContext } from './manager-context.ts';
import { type Issued, IssuedResult } from './results.ts';
import { toSession } from './session.ts';
import type { SessionRecord } from './store.ts';

/**
 * Issuing what a client holds: the session credential, the access token, and the cookies that
 * carry them. Internal to the session manager.
 */
export class Issuer {
  readonly #ctx: ManagerContext;
  readonly #binding: DeviceBinding;

  constructor(ctx: ManagerContext, binding: DeviceBinding) {
    this.#ctx = ctx;
    this.#binding = binding;
  }

  /**
   * {@link issue} after a rotation, closing the race with a concurrent "log out everywhere": sign
   * first (fixing the token's iat), then ask the store, not the cache. If this read misses the
   * watermark, the token was signed before it landed, and the second watermark that
   * `Revoker.raiseWatermark` takes once the first is in place covers it; signed after the read, it
   * could outlive both.
   */
  async refreshed(record: SessionRecord, secret: string, retry: boolean): Promise<Issued> {
    const ctx = this.#ctx;
    const issued = await this.issue(record, secret, retry);
    const notBefore = await ctx.store.getNotBefore(record.userId);
    if (record.createdAt <= notBefore) throw new RevokedError();
    if (retry) {
      ctx.events.emit('session.refreshed', {
        sessionId: record.id,
        userId: record.userId,
        generation: record.generation,
        retry,
      });
    }
    return issued;
  }

  async issue(record: SessionRecord, secret: string, retry: boolean): Promise<Issued> {
    const ctx = this.#ctx;
    const credential = formatCredential(record.id, secret);
    const jwt = ctx.config.jwt;
    let accessToken: string | null = null;
    let expiresIn: number | null = null;
    const cookies: CookieInstruction[] = [];
    if (ctx.strategy === 'database') {
      cookies.push(this.sessionCookie(record, credential));
    } else {
      const now = ctx.now();
      // Never past the session's own end (idle or absolute): an ended session has no live token.
      const lifetimeMs = Math.min(jwt!.lifetimeMs, record.expiresAt - now);
      if (lifetimeMs < 1000) {
        throw new ExpiredError(record.expiresAt < record.absoluteExpiresAt ? 'idle' : 'absolute');
      }
      const claims = jwt!.claims?.(toSession(record));
      // Only jwt reads no record per request: its tokens carry the device they are bound to.
      const bnd = ctx.strategy === 'jwt' ? await this.#binding.claim(record.meta) : undefined;
      const signed = await signAccessToken(
        jwt!.keyring,
        { ...jwt!, lifetimeMs },
        { sub: record.userId, sid: record.id, now, authTime: record.authenticatedAt, claims, bnd },
      );
      accessToken = signed.token;
      expiresIn = Math.floor(lifetimeMs / 1000);
      cookies.push(sessionCookie(ctx.config.cookies, accessToken, expiresIn));
      cookies.push(refreshCookie(ctx.config.cookies, credential, this.#cookieMaxAge(record)));
    }
    return new IssuedResult(toSession(record), credential, accessToken, expiresIn, cookies, retry);
  }

  /** The database strategy's session cookie for a credential. */
  sessionCookie(record: SessionRecord, credential: string): CookieInstruction {
    return sessionCookie(this.#ctx.config.cookies, credential, this.#cookieMaxAge(record));
  }

  #cookieMaxAge(record: SessionRecord): number | undefined {
    const ctx = this.#ctx;
    if (!ctx.cls(record.sessionClass).persistent) return undefined;
    return Math.max(0, Math.floor((record.absoluteExpiresAt - ctx.now()) / 1000));
  }
}
