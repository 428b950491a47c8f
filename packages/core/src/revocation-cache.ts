import type { RevocationReplica } from './revocation-replica.ts';
import { GLOBAL_SCOPE, type RevocationEvent } from './store.ts';
import type { Clock } from './util/clock.ts';

interface Entry<T> {
  value: T;
  freshUntil: number;
}

/** What the cache reads through to: the store's deny-list and watermarks, already wrapped for errors. */
export interface RevocationSource {
  isDenied(key: string): Promise<boolean>;
  getNotBefore(userId: string): Promise<number>;
}

/**
 * The per-process revocation cache. Reads through to the store and keeps answers for `stalenessMs`;
 * revocations pushed by `store.subscribe` land at once, so with a broadcasting store a revocation
 * made on any instance is honoured here without waiting for staleness. `stalenessMs = 0` asks the
 * store every time. Bounded: the oldest entries go first.
 */
export class RevocationCache {
  readonly #denied = new Map<string, Entry<boolean>>();
  readonly #notBefore = new Map<string, Entry<number>>();
  #globalFloor = 0;

  constructor(
    private readonly source: RevocationSource,
    private readonly stalenessMs: number,
    private readonly maxEntries: number,
    private readonly clock: Clock,
    /** The replica that answers access-token checks with no store call, when there is one. */
    readonly replica: RevocationReplica | null = null,
  ) {}

  get size(): number {
    return this.#denied.size + this.#notBefore.size + (this.replica?.size ?? 0);
  }

  /** The cached answer of {@link isDenied} at `now` when it is fresh, else undefined: no await. */
  peekDenied(key: string, now: number): boolean | undefined {
    if (this.stalenessMs === 0) return undefined;
    const hit = this.#denied.get(key);
    return hit && (hit.value || hit.freshUntil > now) ? hit.value : undefined;
  }

  /** The cached answer of {@link notBefore} at `now` when it is fresh, else undefined: no await. */
  peekNotBefore(userId: string, now: number): number | undefined {
    if (this.stalenessMs === 0) return undefined;
    const hit = this.#notBefore.get(userId);
    return hit && hit.freshUntil > now ? Math.max(hit.value, this.#globalFloor) : undefined;
  }

  async isDenied(key: string): Promise<boolean> {
    const now = this.clock.now();
    const cached = this.peekDenied(key, now);
    if (cached !== undefined) return cached;
    const answer = await this.source.isDenied(key);
    if (this.stalenessMs === 0) return answer;
    // A deny applied while this read was in flight is newer than its answer: never un-deny.
    const value = answer || this.#denied.get(key)?.value === true;
    this.#set(this.#denied, key, value, now);
    return value;
  }

  async notBefore(userId: string): Promise<number> {
    const now = this.clock.now();
    const cached = this.peekNotBefore(userId, now);
    if (cached !== undefined) return cached;
    const answer = await this.source.getNotBefore(userId);
    if (this.stalenessMs === 0) return answer;
    // Watermarks only rise: one applied while this read was in flight beats its older answer.
    const value = Math.max(answer, this.#notBefore.get(userId)?.value ?? 0);
    this.#set(this.#notBefore, userId, value, now);
    return Math.max(value, this.#globalFloor);
  }

  /** Applies a revocation pushed by the store (or made by this instance). */
  apply(event: RevocationEvent): void {
    this.replica?.apply(event);
    const now = this.clock.now();
    if (event.type === 'deny') {
      // A positive deny entry never goes stale: a denied key is never un-denied.
      if (event.expiresAt > now) this.#set(this.#denied, event.key, true, now);
    } else if (event.scope === GLOBAL_SCOPE) {
      this.#globalFloor = Math.max(this.#globalFloor, event.at);
    } else {
      const previous = this.#notBefore.get(event.scope)?.value ?? 0;
      this.#set(this.#notBefore, event.scope, Math.max(previous, event.at), now);
    }
  }

  #set<T>(map: Map<string, Entry<T>>, key: string, value: T, now: number): void {
    map.delete(key);
    map.set(key, { value, freshUntil: now + this.stalenessMs });
    if (map.size > this.maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}
