import { RecentCache } from '../util/recent-cache.ts';
import {
  type AccessClaims,
  type AccessTokenConfig,
  type VerifiedAccessToken,
  verifyAccessTokenSync,
  verifyAccessTokenWindow,
} from './access-token.ts';
import type { Keyring } from './keyring.ts';

/** A cache entry: the token itself, so that a hit needs the whole token to be identical. */
class Entry {
  readonly claims: AccessClaims;
  readonly from: number;
  readonly until: number;
  readonly token: string;

  constructor(verified: VerifiedAccessToken, token: string) {
    this.claims = verified.claims;
    this.from = verified.from;
    this.until = verified.until;
    this.token = token;
  }
}

/**
 * The cache's key of a token: four characters of its signature (random bits wherever the token is
 * genuine) folded into a small integer. A whole token as a Map key costs more in hashing and
 * comparing than everything else a hit does; even a 32-character slice showed as the hot path's
 * largest cost under load. Keys may collide: an entry answers only the byte-identical token, and
 * a colliding verified token merely takes the other's place.
 */
function keyOf(token: string): number {
  const end = token.length - 2; // the last character carries only some of the signature's bits
  return (
    ((token.charCodeAt(end - 3) * 128 + token.charCodeAt(end - 2)) * 128 +
      token.charCodeAt(end - 1)) *
      128 +
    token.charCodeAt(end)
  );
}

/** Lookups over which the hit rate is judged. */
const ADMISSION_WINDOW = 4096;
/** A full cache hit by fewer than one lookup in this many is thrashing… */
const THRASHING = 32;
/** …and then admits one miss in this many. */
const SPARSE_ADMISSION = 16;

/**
 * `verifyAccessToken` with a bounded cache of tokens it already verified, keyed by the exact
 * token string: a client sends the same access token on every request until it expires, and only
 * a byte-identical token that passed every check can ever hit. An entry holds the claims and the
 * time window in which they pass (`iat`, `nbf`, `exp`, with the skew), so a hit answers exactly as
 * a full verification would at that instant; outside the window the token is verified again and
 * refused with the proper error. Revocation is none of its business: callers check the deny-list
 * and watermarks on every request, hit or miss.
 */
export class AccessTokenVerifier {
  readonly #keyring: Keyring;
  readonly #config: AccessTokenConfig;
  readonly #cache: RecentCache<Entry, number> | null;
  /** Validations answered from the cache: counted by the caller, which alone knows a hit was used. */
  hits = 0;
  /** Full verifications (signature and claims), passed or refused. */
  misses = 0;
  #windowEnd = ADMISSION_WINDOW;
  #windowHits = 0;
  #admitEvery = 1;

  /** @param cacheSize how many verified tokens to keep; 0 turns the cache off. */
  constructor(keyring: Keyring, config: AccessTokenConfig, cacheSize: number) {
    this.#keyring = keyring;
    this.#config = config;
    this.#cache = cacheSize > 0 ? new RecentCache(cacheSize) : null;
  }

  /** Verified tokens held now. */
  get size(): number {
    return this.#cache?.size ?? 0;
  }

  /** The claims of `token` at `now` when the cache can answer at once, else undefined. */
  cached(token: string, now: number): AccessClaims | undefined {
    const hit = this.#entry(token);
    return hit !== undefined && hit.from <= now && now < hit.until ? hit.claims : undefined;
  }

  /** The claims of `token` at `now` (epoch ms); throws as `verifyAccessToken` does. */
  async verify(token: string, now: number): Promise<AccessClaims> {
    const hit = this.#entry(token);
    if (hit !== undefined) {
      if (hit.from <= now && now < hit.until) {
        this.hits++;
        return hit.claims;
      }
      this.#cache!.delete(keyOf(token)); // verified afresh: refused with its reason
    }
    this.misses++;
    const verified = await verifyAccessTokenWindow(this.#keyring, this.#config, token, now);
    this.#admit(token, verified);
    return verified.claims;
  }

  /**
   * {@link verify} without a promise where the key allows it (HS256 on node:crypto, keyring
   * loaded); undefined when it does not, having checked nothing. Call after {@link cached} missed.
   */
  verifySync(token: string, now: number): AccessClaims | undefined {
    const verified = verifyAccessTokenSync(this.#keyring, this.#config, token, now);
    if (verified === undefined) return undefined;
    this.misses++;
    this.#admit(token, verified);
    return verified.claims;
  }

  /**
   * Caches a verified token, unless a full cache is thrashing: traffic that never repeats within
   * the cache's size (a flood of one-off tokens, more active clients than entries) hits nothing,
   * and every insert then only evicts an entry and leaves old-generation garbage, a fifth of a
   * full verification's cost. Such a cache admits one miss in {@link SPARSE_ADMISSION} until its
   * hit rate recovers, which a repeating client set brings about within a few windows.
   */
  #admit(token: string, verified: VerifiedAccessToken): void {
    const cache = this.#cache;
    if (cache === null) return;
    const lookups = this.hits + this.misses;
    if (lookups >= this.#windowEnd) {
      const full = cache.size >= cache.maxEntries;
      this.#admitEvery =
        full && (this.hits - this.#windowHits) * THRASHING < ADMISSION_WINDOW
          ? SPARSE_ADMISSION
          : 1;
      this.#windowEnd = lookups + ADMISSION_WINDOW;
      this.#windowHits = this.hits;
    }
    if (this.#admitEvery === 1 || this.misses % this.#admitEvery === 0) {
      cache.set(keyOf(token), new Entry(verified, token));
    }
  }

  #entry(token: string): Entry | undefined {
    if (typeof token !== 'string') return undefined; // refused by the full verification instead
    const hit = this.#cache?.get(keyOf(token));
    return hit?.token === token ? hit : undefined;
  }
}
