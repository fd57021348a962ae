/**
 * A Map with a size bound that evicts the least recently used entry. Every cache and per-session
 * table a plugin keeps must be bounded; this is the shared way to do it.
 */

/** A bounded map; `get` and `set` refresh an entry, inserting past `maxEntries` evicts the oldest. */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  /** Most entries kept. */
  readonly maxEntries: number;

  constructor(maxEntries: number, onEvict?: (key: K, value: V) => void) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`LruMap maxEntries must be a positive integer, got ${maxEntries}`);
    this.maxEntries = maxEntries;
    this.#onEvict = onEvict;
  }

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The value, marking the entry as recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined || this.#map.has(key)) {
      this.#map.delete(key);
      this.#map.set(key, value as V);
    }
    return value;
  }

  /** The value without refreshing the entry. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Insert or replace, evicting the least recently used entries beyond the bound. */
  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.maxEntries) {
      const oldest = this.#map.keys().next().value as K;
      const evicted = this.#map.get(oldest) as V;
      this.#map.delete(oldest);
      this.#onEvict?.(oldest, evicted);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Entries from least to most recently used. */
  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  /** Remove every entry the predicate selects (e.g. idle sessions); returns how many went. */
  prune(predicate: (key: K, value: V) => boolean): number {
    let removed = 0;
    for (const [key, value] of this.#map) {
      if (predicate(key, value)) {
        this.#map.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
