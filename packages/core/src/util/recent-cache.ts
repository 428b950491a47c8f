/**
 * A map of at most `maxEntries` that keeps what is used: CLOCK (second-chance) eviction. Entries
 * sit in a ring of slots, each with a bit set when it is read; a new entry takes the first slot
 * past the hand whose bit is clear, clearing the bits it passes. Close to LRU, yet a hit costs one
 * lookup and one store, and a full cache holds exactly `maxEntries` (two generations dropped whole
 * would hold between half and all of them, and lose a hot half at once).
 */
export class RecentCache<V, K extends string | number = string> {
  readonly #max: number;
  /** Key → its slot in the ring. Numbers: the GC traces no value through the map. */
  readonly #slots = new Map<K, number>();
  readonly #keys: (K | undefined)[] = [];
  readonly #values: (V | undefined)[] = [];
  readonly #used: Uint8Array;
  #hand = 0;

  constructor(maxEntries: number) {
    this.#max = Math.max(1, Math.floor(maxEntries));
    this.#used = new Uint8Array(this.#max);
  }

  /** The most entries held. */
  get maxEntries(): number {
    return this.#max;
  }

  /** Entries held now (never more than `maxEntries`). */
  get size(): number {
    return this.#slots.size;
  }

  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    this.#used[slot] = 1;
    return this.#values[slot];
  }

  set(key: K, value: V): void {
    const known = this.#slots.get(key);
    if (known !== undefined) {
      this.#values[known] = value;
      return;
    }
    const slot = this.#keys.length < this.#max ? this.#keys.length : this.#victim();
    const evicted = this.#keys[slot];
    if (evicted !== undefined) this.#slots.delete(evicted);
    this.#keys[slot] = key;
    this.#values[slot] = value;
    this.#used[slot] = 0;
    this.#slots.set(key, slot);
  }

  delete(key: K): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#used[slot] = 0;
  }

  /** The slot the next entry takes: the first from the hand not read since the hand last passed. */
  #victim(): number {
    const used = this.#used;
    let hand = this.#hand;
    while (used[hand] === 1) {
      used[hand] = 0;
      hand = hand + 1 === this.#max ? 0 : hand + 1;
    }
    this.#hand = hand + 1 === this.#max ? 0 : hand + 1;
    return hand;
  }
}
