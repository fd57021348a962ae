/**
 * Discord's rate limits as the fake applies them: a bucket per route and top-level resource
 * (the channel id), identified by an opaque hash in `X-RateLimit-Bucket`, with the headers Discord
 * sends on every answer, plus the global limit per bot. Exceeding either answers 429 with
 * `Retry-After` (whole seconds, as Discord's header) and the body's exact `retry_after`.
 */
import { createHash } from "node:crypto";

export interface RateLimitOptions {
  /** Requests per bucket window (Discord's message route allows 5 per 5 s per channel). */
  bucketLimit: number;
  bucketWindowMs: number;
  /** Requests per second for the whole bot (Discord: 50). */
  globalPerSecond: number;
}

export interface RateDecision {
  headers: Record<string, string>;
  /** Set when the request is refused. */
  limited?: { retryAfterMs: number; global: boolean; scope: "user" | "global" | "shared" };
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

/** Buckets not touched for this long are forgotten. */
const IDLE_MS = 60_000;

export class FakeRateLimits {
  readonly #options: RateLimitOptions;
  readonly #buckets = new Map<string, Bucket>();
  #globalWindow = 0;
  #globalCount = 0;

  constructor(options: RateLimitOptions) {
    this.#options = options;
  }

  /** The opaque bucket id of a route template (shared by every channel). */
  static hashOf(route: string): string {
    return createHash("md5").update(route).digest("hex");
  }

  /** Count one request to `route` (e.g. `POST /channels/{id}/messages`) on `major` (the channel id). */
  take(route: string, major: string, now = Date.now()): RateDecision {
    const { bucketLimit, bucketWindowMs, globalPerSecond } = this.#options;
    const second = Math.floor(now / 1000);
    if (second !== this.#globalWindow) {
      this.#globalWindow = second;
      this.#globalCount = 0;
    }
    if (this.#globalCount >= globalPerSecond) {
      const retryAfterMs = (second + 1) * 1000 - now;
      return {
        headers: { "x-ratelimit-global": "true", "x-ratelimit-scope": "global" },
        limited: { retryAfterMs, global: true, scope: "global" },
      };
    }
    this.#globalCount++;
    const hash = FakeRateLimits.hashOf(route);
    const key = `${hash}:${major}`;
    let bucket = this.#buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      if (this.#buckets.size > 10_000) this.#sweep(now);
      bucket = { remaining: bucketLimit, resetAt: now + bucketWindowMs };
      this.#buckets.set(key, bucket);
    }
    const limited = bucket.remaining <= 0;
    if (!limited) bucket.remaining--;
    const headers = {
      "x-ratelimit-limit": String(bucketLimit),
      "x-ratelimit-remaining": String(bucket.remaining),
      "x-ratelimit-reset": (bucket.resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": ((bucket.resetAt - now) / 1000).toFixed(3),
      "x-ratelimit-bucket": hash,
    };
    if (!limited) return { headers };
    return {
      headers: { ...headers, "x-ratelimit-scope": "user" },
      limited: { retryAfterMs: bucket.resetAt - now, global: false, scope: "user" },
    };
  }

  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) if (now - bucket.resetAt > IDLE_MS) this.#buckets.delete(key);
  }
}

/** The 429 answer: headers and body exactly as Discord sends them. */
export function tooManyRequests(limited: NonNullable<RateDecision["limited"]>, headers: Record<string, string>) {
  const seconds = limited.retryAfterMs / 1000;
  return {
    status: 429,
    headers: {
      ...headers,
      "retry-after": String(Math.max(1, Math.ceil(seconds))),
      "x-ratelimit-scope": limited.scope,
      ...(limited.global ? { "x-ratelimit-global": "true" } : {}),
    },
    body: { message: "You are being rate limited.", retry_after: Number(seconds.toFixed(3)), global: limited.global },
  };
}
