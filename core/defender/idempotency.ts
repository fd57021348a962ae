/**
 * The idempotency cache (seed-gateway §4.3), keyed by request id plus the action's content
 * digest. The seed keyed on the id alone, so a benign request and a later malicious one reusing
 * its id got the cached allow (seed-defender §15 item 6); here a reused id with other content is
 * a conflict: evaluated afresh and tagged. Actions without an id are keyed by their digest.
 *
 * Bounded: TTL `runtime.idempotency_ttl_secs` (min 1 s), at most
 * `max(runtime.idempotency_max_entries, 32)` entries; the oldest entry goes first.
 */
import type { Action, Decision } from "@talon/sdk";

interface Entry {
  readonly key: string;
  readonly digest: string;
  readonly decision: Decision;
  readonly expiresAt: number;
}

/** A lookup's outcome: the cached decision, nothing, or the id cached with other content. */
export type CacheLookup = { kind: "hit"; decision: Decision } | { kind: "miss" } | { kind: "conflict" };

const MISS: CacheLookup = Object.freeze({ kind: "miss" });
const CONFLICT: CacheLookup = Object.freeze({ kind: "conflict" });

/** The seed's floor on `idempotency_max_entries`. */
const MIN_IDEMPOTENCY_ENTRIES = 32;

function keyOf(action: Action): string {
  return action.id === "unknown" ? `sig:${action.digest}` : `id:${action.id}`;
}

/**
 * Decisions by request id (or digest), with the content digest they were reached for.
 *
 * The age order lives in an array queue beside the map, not in the map's own insertion order:
 * deleting a map's oldest key leaves a hole at the front of V8's ordered hash table, and every
 * later `keys().next()` or iteration from the front steps over all holes left since the last
 * rehash (thousands with a full cache, measured at ~7 µs per store). The queue holds every
 * stored entry in store order; an entry replaced by a later store of its key is stale and skipped
 * when it reaches the front. It is compacted when stale entries make up half of it, so its length
 * stays within twice the live entries (plus a small constant).
 */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry>();
  #queue: (Entry | undefined)[] = [];
  #head = 0;
  #generation = 0;

  get size(): number {
    return this.#entries.size;
  }

  /** Bumped by every `clear`: a decision reached under an older generation must not be stored. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Forget every entry (config or policy-bundle reload: a decision reached under the previous
   * policy must not answer for the new one). Evaluations still running were started under the old
   * policy; `store` drops their decisions through the generation they were started in.
   */
  clear(): void {
    this.#entries.clear();
    this.#queue = [];
    this.#head = 0;
    this.#generation++;
  }

  lookup(action: Action, now: number): CacheLookup {
    this.#purge(now);
    const key = keyOf(action);
    const entry = this.#entries.get(key);
    if (!entry) return MISS;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return MISS;
    }
    return entry.digest === action.digest ? { kind: "hit", decision: entry.decision } : CONFLICT;
  }

  /** Store a decision; ignored when it was reached under an earlier `generation` (a reload came between). */
  store(action: Action, decision: Decision, now: number, ttlSecs: number, maxEntries: number, generation = this.#generation): void {
    if (generation !== this.#generation) return;
    const key = keyOf(action);
    const entry: Entry = { key, digest: action.digest, decision, expiresAt: now + Math.max(ttlSecs, 1) * 1000 };
    this.#entries.set(key, entry);
    this.#queue.push(entry);
    const max = Math.max(maxEntries, MIN_IDEMPOTENCY_ENTRIES);
    while (this.#entries.size > max) this.#entries.delete(this.#oldest()!.key);
    if (this.#queue.length - this.#head > 2 * this.#entries.size + 64 || (this.#head > 1024 && this.#head * 2 > this.#queue.length))
      this.#compact();
  }

  /** The oldest live entry (stale queue slots in front of it are dropped). */
  #oldest(): Entry | undefined {
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const entry = queue[this.#head]!;
      if (this.#entries.get(entry.key) === entry) return entry;
      queue[this.#head++] = undefined;
    }
    return undefined;
  }

  /** Drop the expired entries at the old end (one TTL: the oldest expire first). */
  #purge(now: number): void {
    for (let entry = this.#oldest(); entry !== undefined && entry.expiresAt <= now; entry = this.#oldest()) {
      this.#entries.delete(entry.key);
      this.#queue[this.#head++] = undefined;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) this.#compact();
  }

  /** Keep only the live entries, in age order. */
  #compact(): void {
    const live: Entry[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i];
      if (entry !== undefined && this.#entries.get(entry.key) === entry) live.push(entry);
    }
    this.#queue = live;
    this.#head = 0;
  }
}
