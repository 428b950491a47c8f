import type { ResolvedSessionClass } from './config.ts';
import {
  ConflictError,
  InvalidCredentialError,
  RefreshReuseError,
  RevokedError,
} from './errors.ts';
import type { ManagerContext } from './manager-context.ts';
import { touched } from './record.ts';
import type { Revoker } from './revocation.ts';
import type { SessionRecord } from './store.ts';
import { hmac, importHmacKey, sha256, timingSafeEqual } from './util/crypto.ts';

/** Older superseded secrets remembered per session (short hashes) for reuse detection. */
const RETIRED_KEPT = 16;
const SHORT_HASH = 22;
/** Compare-and-set attempts before a rotation gives up with ConflictError. */
const CAS_ATTEMPTS = 4;

/**
 * Derives successor secrets: `HMAC(rotationKey, id | generation | presentedSecret)`. Deterministic, so
 * every racer presenting the same secret computes the same successor and nothing forks; nothing but
 * its hash is ever stored.
 */
export class Rotator {
  readonly #keys: Promise<CryptoKey[]>;

  constructor(rotationKeys: Promise<readonly Uint8Array[]>) {
    this.#keys = rotationKeys.then((keys) => Promise.all(keys.map((k) => importHmacKey(k))));
    this.#keys.catch(() => {}); // surfaced on first use, not as an unhandled rejection
  }

  /** The successor of `secret` under the current key. */
  async successor(id: string, generation: number, secret: string): Promise<string> {
    const [current] = await this.#keys;
    return hmac(current!, `rotate|v1|${id}|${generation}|${secret}`);
  }

  /**
   * The successor that `record` rotated to from `secret` (its previous secret), trying every key so a
   * key rotation inside the reuse window does not look like theft. Null when none matches.
   */
  async recover(record: SessionRecord, secret: string): Promise<string | null> {
    for (const key of await this.#keys) {
      const candidate = await hmac(
        key,
        `rotate|v1|${record.id}|${record.generation - 1}|${secret}`,
      );
      if (timingSafeEqual(await sha256(candidate), record.secretHash)) return candidate;
    }
    return null;
  }
}

/** The rotation state of `record` after moving from `presentedHash` to `successorHash`. */
export function rotated(
  record: SessionRecord,
  presentedHash: string,
  successorHash: string,
  now: number,
): SessionRecord {
  const retired = record.prevSecretHash
    ? [record.prevSecretHash.slice(0, SHORT_HASH), ...record.retiredSecretHashes].slice(
        0,
        RETIRED_KEPT,
      )
    : record.retiredSecretHashes;
  return {
    ...record,
    secretHash: successorHash,
    prevSecretHash: presentedHash,
    retiredSecretHashes: retired,
    rotatedAt: now,
    generation: record.generation + 1,
    version: record.version + 1,
  };
}

/** How a presented secret's hash relates to a record. */
export type SecretMatch = 'current' | 'previous' | 'retired' | 'none';

/** Classifies a presented secret hash, comparing in constant time. */
export function matchSecret(record: SessionRecord, hash: string): SecretMatch {
  if (timingSafeEqual(hash, record.secretHash)) return 'current';
  if (record.prevSecretHash !== null && timingSafeEqual(hash, record.prevSecretHash))
    return 'previous';
  const short = hash.slice(0, SHORT_HASH);
  let retired = false;
  for (const old of record.retiredSecretHashes) retired = timingSafeEqual(short, old) || retired;
  return retired ? 'retired' : 'none';
}

/**
 * Rotation and touches against the store: the session manager's writes on the request path.
 * Internal to the session manager.
 */
export class Rotation {
  readonly #ctx: ManagerContext;
  readonly #rotator: Rotator;
  readonly #revoker: Revoker;

  constructor(ctx: ManagerContext, rotator: Rotator, revoker: Revoker) {
    this.#ctx = ctx;
    this.#rotator = rotator;
    this.#revoker = revoker;
  }

  /**
   * A presented secret that is not the current one: inside the reuse window the previous secret
   * recovers the same successor; anything else is theft and revokes the whole session.
   */
  async recover(
    record: SessionRecord,
    secret: string,
    match: 'previous' | 'retired',
    now: number,
  ): Promise<string> {
    const ctx = this.#ctx;
    if (
      match === 'previous' &&
      record.rotatedAt !== null &&
      now - record.rotatedAt <= ctx.config.reuseWindowMs
    ) {
      const successor = await this.#rotator.recover(record, secret);
      if (successor) return successor;
    }
    ctx.events.emit('refresh.reused', { sessionId: record.id, userId: record.userId });
    ctx.anomalies.reused(record.id);
    await this.#revoker.end(record.id, record.userId, 'reuse', record.createdAt);
    throw new RefreshReuseError(record.id);
  }

  /**
   * Moves `record` from the presented secret to its derived successor by compare-and-set. A racer
   * that loses finds the winner's successor equal to its own and returns it: nothing forks.
   */
  async rotate(
    record: SessionRecord,
    secret: string,
    hash: string,
    now: number,
  ): Promise<{ record: SessionRecord; secret: string; won: boolean }> {
    const ctx = this.#ctx;
    const successor = await this.#rotator.successor(record.id, record.generation, secret);
    const successorHash = await sha256(successor);
    let current = record;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const next = touched(
        rotated(current, hash, successorHash, now),
        ctx.cls(current.sessionClass),
        now,
      );
      if (await ctx.store.update(next, current.version)) {
        ctx.events.emit('session.refreshed', {
          sessionId: next.id,
          userId: next.userId,
          generation: next.generation,
          retry: false,
        });
        return { record: next, secret: successor, won: true };
      }
      const fresh = await ctx.store.get(record.id);
      if (!fresh) throw new RevokedError();
      if (fresh.secretHash === successorHash)
        return { record: fresh, secret: successor, won: false };
      if (fresh.secretHash !== hash) throw new InvalidCredentialError('mismatch');
      current = fresh; // a touch or data update moved the version: rotate again from it
    }
    throw new ConflictError();
  }

  /** Whether the touch threshold has passed: below it, validation writes nothing. */
  touchDue(record: SessionRecord, cls: ResolvedSessionClass, now: number): boolean {
    return now - record.lastActiveAt >= cls.idleMs * this.#ctx.config.touchFraction;
  }

  /** Slides the idle deadline (call when {@link touchDue}). */
  async touch(
    record: SessionRecord,
    cls: ResolvedSessionClass,
    now: number,
  ): Promise<SessionRecord> {
    const next = touched({ ...record, version: record.version + 1 }, cls, now);
    // Losing the race means someone else just touched or changed it: the request is still valid.
    return (await this.#ctx.store.update(next, record.version)) ? next : record;
  }
}
