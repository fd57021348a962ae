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
  digest: string;
  decision: Decision;
  expiresAt: number;
}

/** A lookup's outcome: the cached decision, nothing, or the id cached with other content. */
export type CacheLookup = { kind: "hit"; decision: Decision } | { kind: "miss" } | { kind: "conflict" };

const MISS: CacheLookup = Object.freeze({ kind: "miss" });
const CONFLICT: CacheLookup = Object.freeze({ kind: "conflict" });

/** The seed's floor on `idempotency_max_entries`. */
export const MIN_IDEMPOTENCY_ENTRIES = 32;

function keyOf(action: Action): string {
  return action.id === "unknown" ? `sig:${action.digest}` : `id:${action.id}`;
}

/** Decisions by request id (or digest), with the content digest they were reached for. */
export class IdempotencyCache {
  // Map order is insertion order; entries are re-inserted on every store, so the first entry is
  // the oldest and, with one TTL, the first to expire.
  readonly #entries = new Map<string, Entry>();

  get size(): number {
    return this.#entries.size;
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

  store(action: Action, decision: Decision, now: number, ttlSecs: number, maxEntries: number): void {
    const key = keyOf(action);
    this.#entries.delete(key);
    this.#entries.set(key, { digest: action.digest, decision, expiresAt: now + Math.max(ttlSecs, 1) * 1000 });
    const max = Math.max(maxEntries, MIN_IDEMPOTENCY_ENTRIES);
    while (this.#entries.size > max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  #purge(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) return;
      this.#entries.delete(key);
    }
  }
}
