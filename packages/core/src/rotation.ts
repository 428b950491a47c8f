import type { SessionRecord } from './store.ts';
import { hmac, importHmacKey, sha256, timingSafeEqual } from './util/crypto.ts';

/** Older superseded secrets remembered per session (short hashes) for reuse detection. */
const RETIRED_KEPT = 16;
const SHORT_HASH = 22;

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
