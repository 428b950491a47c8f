import { SessionLimitError } from './errors.ts';
import type { RevokeReason } from './events.ts';
import type { ManagerContext } from './manager-context.ts';
import type { RevocationEvent, SessionRecord } from './store.ts';

/**
 * Ending sessions and publishing revocations: deletes, evictions past the session cap, deny-list
 * entries for the jwt strategies, watermarks, and the events that report them. Internal to the
 * session manager.
 */
export class Revoker {
  readonly #ctx: ManagerContext;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  /** Ends one session: deny-lists its access tokens (jwt strategies), deletes it, reports it. */
  async end(
    sessionId: string,
    userId: string | null,
    reason: RevokeReason,
    createdAt?: number,
  ): Promise<boolean> {
    const ctx = this.#ctx;
    const now = ctx.now();
    if (ctx.strategy !== 'database') await this.denySession(sessionId, now);
    const deleted = await ctx.store.delete(sessionId);
    if (deleted) {
      ctx.events.emit(
        'session.revoked',
        createdAt === undefined
          ? { sessionId, userId, reason }
          : { sessionId, userId, reason, durationMs: now - createdAt },
      );
    }
    return deleted;
  }

  /**
   * Creates `record` within the user's cap, atomically in the store: concurrent logins can never
   * leave more than `limit` live sessions. Evicted sessions are then deny-listed (jwt strategies)
   * and reported like any revocation.
   */
  async createCapped(
    record: SessionRecord,
    { limit, policy }: { limit: number; policy: 'evict-oldest' | 'reject' },
  ): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.now();
    // Config refuses maxSessionsPerUser for a store without createCapped.
    const { created, evicted } = await ctx.store.createCapped!(record, {
      max: limit,
      evictOldest: policy === 'evict-oldest',
      notBefore: await ctx.cache.notBefore(record.userId),
      now,
    });
    await this.evicted(evicted, record.userId, now);
    if (!created) throw new SessionLimitError(limit);
  }

  /** Reports sessions a capped create evicted, deny-listing their access tokens first (jwt strategies). */
  async evicted(sessionIds: readonly string[], userId: string, now: number): Promise<void> {
    const ctx = this.#ctx;
    for (const sessionId of sessionIds) {
      if (ctx.strategy !== 'database') await this.denySession(sessionId, now);
      ctx.events.emit('session.revoked', { sessionId, userId, reason: 'evicted' });
    }
  }

  /**
   * Raises a watermark to now and, if the clock moved while that write landed, once more: a
   * refresh whose watermark read ran before the first write landed may have signed a token after
   * it, and the second covers that token (a refresh signing later reads the first and is refused).
   */
  async raiseWatermark(scope: string): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.now();
    await ctx.store.setNotBefore(scope, now);
    this.published({ type: 'not-before', scope, at: now });
    const landed = ctx.now();
    if (landed > now) {
      await ctx.store.setNotBefore(scope, landed);
      this.published({ type: 'not-before', scope, at: landed });
    }
  }

  /** Deny-lists a session's access tokens for as long as any of them can live. */
  async denySession(sessionId: string, now: number): Promise<void> {
    const jwt = this.#ctx.config.jwt!;
    await this.deny(`sid:${sessionId}`, now + jwt.lifetimeMs + jwt.clockSkewMs);
  }

  async deny(key: string, expiresAt: number): Promise<void> {
    await this.#ctx.store.deny(key, expiresAt);
    this.published({ type: 'deny', key, expiresAt });
  }

  /** Applies a revocation to this instance's cache at once, whether or not the store broadcasts. */
  published(event: RevocationEvent): void {
    const ctx = this.#ctx;
    ctx.cache.apply(event);
    const scope = event.type === 'deny' ? event.key : event.scope;
    ctx.events.emit('revocation.published', { kind: event.type, scope });
  }
}
