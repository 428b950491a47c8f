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
interface Entry extends VerifiedAccessToken {
  readonly token: string;
}

// Entries are found by the token's last characters (signature bytes, unique per token): hashing
// a whole token for a Map lookup costs more than everything else a hit does.
const INDEX_LENGTH = 32;

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
  readonly #cache: RecentCache<Entry> | null;
  /** Validations answered from the cache: counted by the caller, which alone knows a hit was used. */
  hits = 0;
  /** Full verifications (signature and claims), passed or refused. */
  misses = 0;

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
      this.#cache!.delete(token.slice(-INDEX_LENGTH)); // verified afresh: refused with its reason
    }
    this.misses++;
    const verified = await verifyAccessTokenWindow(this.#keyring, this.#config, token, now);
    this.#cache?.set(token.slice(-INDEX_LENGTH), { ...verified, token });
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
    this.#cache?.set(token.slice(-INDEX_LENGTH), { ...verified, token });
    return verified.claims;
  }

  #entry(token: string): Entry | undefined {
    if (typeof token !== 'string') return undefined; // refused by the full verification instead
    const hit = this.#cache?.get(token.slice(-INDEX_LENGTH));
    return hit?.token === token ? hit : undefined;
  }
}
