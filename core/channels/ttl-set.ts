/**
 * A bounded set of keys that expire: inbound dedupe (5 minutes) and the ids of messages we sent
 * (echo suppression, implicit mentions). Insertion order is expiry order for a fixed TTL, so the
 * oldest entries are evicted first, both when they expire and when the set is full.
 */
export class TtlSet {
  readonly #expiries = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** True while `key` was added less than the TTL ago. */
  has(key: string, now = Date.now()): boolean {
    const expiry = this.#expiries.get(key);
    if (expiry === undefined) return false;
    if (expiry > now) return true;
    this.#expiries.delete(key);
    return false;
  }

  /** Add (or refresh) `key`; evicts expired and, when full, the oldest keys. */
  add(key: string, now = Date.now(), ttlMs = this.#ttlMs): void {
    this.#expiries.delete(key);
    this.#expiries.set(key, now + ttlMs);
    if (this.#expiries.size > this.#maxEntries) this.#evict(now);
  }

  delete(key: string): void {
    this.#expiries.delete(key);
  }

  get size(): number {
    return this.#expiries.size;
  }

  /** Unexpired entries with their expiry time (persisted across restarts). */
  entries(now = Date.now()): [string, number][] {
    const out: [string, number][] = [];
    for (const [key, expiry] of this.#expiries) if (expiry > now) out.push([key, expiry]);
    return out;
  }

  #evict(now: number): void {
    for (const [key, expiry] of this.#expiries) {
      if (this.#expiries.size <= this.#maxEntries && expiry > now) break;
      this.#expiries.delete(key);
    }
  }
}
