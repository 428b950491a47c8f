import { GLOBAL_SCOPE, type RevocationEvent, type SessionStore } from './store.ts';

/** What the replica syncs from: the store's query, already wrapped for errors. */
export type ReplicaSource = Required<Pick<SessionStore, 'recentRevocations'>>;

/** How the replica is sized and how fresh it must be. */
export interface ReplicaTiming {
  /**
   * How far back a watermark can still refuse something: the longest an access token passes
   * (lifetime plus skew, plus iat's second) or, where session records are checked, the longest a
   * session lives. Older watermarks are below every token and record that is still valid.
   */
  horizonMs: number;
  /** How old the last successful sync may be before the replica stops answering. */
  stalenessMs: number;
  /**
   * How far back each poll reaches before the previous one started: writers' clocks differ by up
   * to the skew, and a write may land a little after its clock reading.
   */
  overlapMs: number;
}

/**
 * A per-process copy of every revocation that can still refuse something: deny-list entries until
 * they expire, watermarks younger than the horizon (an access token's or a session's lifetime). Loaded from the
 * store, kept current by the store's broadcast (and this instance's own revocations) at once, and
 * by a poll every half staleness, started by the requests themselves (an idle process does no
 * work). While the last successful sync is younger than the staleness, a validation asks it alone:
 * no store call, whatever the number of users. Older (store down, first load not done), it answers
 * `undefined` and the caller asks the store, which fails closed when the store does.
 */
export class RevocationReplica {
  // Deny entries by kind, keyed by the bare id, so a check builds no key string. Core denies only
  // `sid:` and `jti:` keys; any other key refuses no token, so it is not kept.
  readonly #sids = new Map<string, number>();
  readonly #jtis = new Map<string, number>();
  readonly #watermarks = new Map<string, number>();
  #global = 0;
  /** When the last successful sync started: it saw every revocation written before then. */
  #syncedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> | null = null;
  #stopped = false;

  constructor(
    private readonly source: ReplicaSource,
    private readonly timing: ReplicaTiming,
  ) {}

  /** When the last successful sync started (epoch ms), or null before the first. */
  get syncedAt(): number | null {
    return this.#syncedAt === Number.NEGATIVE_INFINITY ? null : this.#syncedAt;
  }

  /** Entries held now. */
  get size(): number {
    return this.#sids.size + this.#jtis.size + this.#watermarks.size;
  }

  /**
   * Whether a token (its session id, token id, user and `iat` in ms) is revoked, from the replica
   * alone; undefined when the replica is too stale to answer (a sync is then under way).
   */
  revoked(
    sid: string,
    jti: string,
    userId: string,
    iatMs: number,
    now: number,
  ): boolean | undefined {
    if (!this.#fresh(now)) return undefined;
    if ((this.#sids.get(sid) ?? 0) > now || (this.#jtis.get(jti) ?? 0) > now) return true;
    // iat has one-second resolution: a token issued in the same second as a watermark is refused.
    return iatMs <= this.#global || iatMs <= (this.#watermarks.get(userId) ?? 0);
  }

  /**
   * The user's watermark (the later of theirs and the global one) from the replica alone; undefined
   * when the replica is too stale to answer (a sync is then under way).
   */
  notBefore(userId: string, now: number): number | undefined {
    if (!this.#fresh(now)) return undefined;
    return Math.max(this.#global, this.#watermarks.get(userId) ?? 0);
  }

  /** Whether the replica may answer at `now`; starts a poll when half the staleness has passed. */
  #fresh(now: number): boolean {
    const age = now - this.#syncedAt;
    if (age * 2 >= this.timing.stalenessMs) this.sync(now);
    return age <= this.timing.stalenessMs;
  }

  /** Resolves once a first sync has succeeded; rejects with the store's error while none can. */
  loaded(now: number): Promise<void> {
    return this.#syncedAt > Number.NEGATIVE_INFINITY ? Promise.resolve() : this.#run(now);
  }

  /** Starts a sync unless one is running; a failed one leaves the replica to go stale (the store guard reports it). */
  sync(now: number): void {
    void this.#run(now);
  }

  /** Starts no sync any more; resolves once one in flight has settled (the store may then close). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#syncing?.catch(() => {});
  }

  #run(now: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#syncing === null) {
      this.#syncing = this.#sync(now).finally(() => {
        this.#syncing = null;
      });
      this.#syncing.catch(() => {});
    }
    return this.#syncing;
  }

  /** Applies a revocation broadcast by the store or made by this instance. */
  apply(event: RevocationEvent): void {
    if (event.type === 'deny') {
      const { key, expiresAt } = event;
      const map = key.startsWith('sid:') ? this.#sids : key.startsWith('jti:') ? this.#jtis : null;
      const id = key.slice(4);
      if (map !== null && expiresAt > (map.get(id) ?? 0)) map.set(id, expiresAt);
    } else if (event.scope === GLOBAL_SCOPE) {
      this.#global = Math.max(this.#global, event.at);
    } else {
      const current = this.#watermarks.get(event.scope) ?? 0;
      if (event.at > current) this.#watermarks.set(event.scope, event.at);
    }
  }

  async #sync(start: number): Promise<void> {
    const { horizonMs, overlapMs } = this.timing;
    const since = Math.max(start - horizonMs, this.#syncedAt - overlapMs);
    const events = await this.source.recentRevocations(since, start);
    for (const event of events) this.apply(event);
    this.#syncedAt = start;
    this.#prune(start);
  }

  /** Drops what can no longer refuse a token that passes verification at `now`. */
  #prune(now: number): void {
    for (const map of [this.#sids, this.#jtis]) {
      for (const [key, expiresAt] of map) if (expiresAt <= now) map.delete(key);
    }
    const oldest = now - this.timing.horizonMs;
    for (const [scope, at] of this.#watermarks) if (at < oldest) this.#watermarks.delete(scope);
  }
}
