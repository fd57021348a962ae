/**
 * Cached, rate-limited, de-duplicated lookups. Answers (found and not-found alike) are cached in
 * the plugin's store with their own TTLs; failures are not cached. Concurrent lookups of one id
 * share one request. Keys: `file:<sha256>`, `url:<id>`.
 */
import { LruMap, type Store } from "@talon/sdk";
import { getObject, type ClientSettings, type VtResponse } from "./client.ts";
import type { RateLimiter } from "./limiter.ts";
import type { AnalysisStats } from "./verdict.ts";

/** Cache lifetimes. */
export interface CacheSettings {
  readonly foundTtlMs: number;
  readonly notFoundTtlMs: number;
}

type Cached = { kind: "found"; stats: AnalysisStats } | { kind: "not_found" };

/** A lookup's outcome and whether it came from the cache. */
export interface LookupResult {
  readonly response: VtResponse;
  readonly cached: boolean;
}

const MAX_IN_FLIGHT = 1024;

export class Lookups {
  readonly #cache: Store;
  readonly #limiter: RateLimiter;
  readonly #inFlight = new LruMap<string, Promise<LookupResult>>(MAX_IN_FLIGHT);
  /** Counters for the status section. */
  readonly counts = { cacheHits: 0, requests: 0, failures: 0 };

  constructor(cache: Store, limiter: RateLimiter) {
    this.#cache = cache;
    this.#limiter = limiter;
  }

  /** Look an object up (cache first). */
  lookup(collection: "files" | "urls", id: string, client: ClientSettings, ttl: CacheSettings): Promise<LookupResult> {
    const key = `${collection === "files" ? "file" : "url"}:${id}`;
    const running = this.#inFlight.peek(key);
    if (running) return running;
    const work = this.#run(key, collection, id, client, ttl).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, work);
    return work;
  }

  async #run(key: string, collection: "files" | "urls", id: string, client: ClientSettings, ttl: CacheSettings): Promise<LookupResult> {
    const what = collection === "files" ? "file" : "URL";
    const cached = await this.#cache.get<Cached>(key).catch(() => undefined);
    if (cached && (cached.kind === "found" || cached.kind === "not_found")) {
      this.counts.cacheHits++;
      return { response: cached, cached: true };
    }
    const slot = await this.#limiter.take();
    if (!slot.ok) {
      this.counts.failures++;
      return { response: { kind: "error", reason: `VirusTotal ${what} lookup skipped: ${slot.reason}` }, cached: false };
    }
    this.counts.requests++;
    const response = await getObject(client, collection, id, what);
    if (response.kind === "quota") this.#limiter.pause(Date.now() + response.retryAfterMs);
    if (response.kind === "found")
      await this.#cache.set(key, { kind: "found", stats: response.stats }, ttl.foundTtlMs).catch(() => undefined);
    else if (response.kind === "not_found") await this.#cache.set(key, { kind: "not_found" }, ttl.notFoundTtlMs).catch(() => undefined);
    else this.counts.failures++;
    return { response, cached: false };
  }
}
