/**
 * A map bounded to `maxEntries` that keeps what was used recently: two generations, the young one
 * taking every insert and every entry read from the old one, the old one dropped whole when the
 * young one fills up. Close to LRU without reordering anything on a hit, so a hit costs one or two
 * lookups.
 */
export class RecentCache<V> {
  readonly #half: number;
  #young = new Map<string, V>();
  #old = new Map<string, V>();

  constructor(maxEntries: number) {
    this.#half = Math.max(1, Math.ceil(maxEntries / 2));
  }

  /** Entries held now (never more than `maxEntries`). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.set(key, old);
    }
    return old;
  }

  set(key: string, value: V): void {
    this.#young.set(key, value);
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
  }

  delete(key: string): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }
}
