/**
 * REST v10 through @discordjs/rest: Discord's own client keeps the per-route buckets
 * (`X-RateLimit-Bucket`, `-Remaining`, `-Reset-After`, shared buckets by hash), the global limit
 * (50/s, `X-RateLimit-Global`) and sublimits, and it honours any API base (`api`), so tests point
 * it at the loopback fake. Talon's runtime owns retries: the client makes one attempt per call
 * (`retries: 0`), a 429 is handed back at once as a DriverRateLimitError with Discord's
 * `retry_after` (the runtime pauses the account that long and retries), and a used-up bucket
 * delays a call only up to `rateLimitWaitMaxMs` before it is handed back the same way.
 */
import { DiscordAPIError, HTTPError, REST, RateLimitError, type RateLimitData, type ResponseLike } from "@discordjs/rest";
import {
  DriverAuthError,
  DriverNetworkError,
  DriverRateLimitError,
  clampRetryAfter,
  driverErrorForStatus,
  errorMessage,
  parseRetryAfter,
  type TalonError,
} from "@talon/sdk";
import { DRIVER_ID, GLOBAL_REQUESTS_PER_SECOND } from "./constants.ts";

/** How often idle buckets are forgotten (the client's own sweepers are off: they would outlive stop()). */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const HASH_LIFETIME_MS = 24 * 60 * 60_000;
/** Buckets listed in status. */
const STATUS_BUCKETS = 10;

export interface RestOptions {
  /** API root without the version, e.g. `https://discord.com/api`. */
  api: string;
  token: string;
  timeoutMs: number;
  /** Longest wait for a used-up bucket inside the client. */
  waitMaxMs: number;
}

/** A 429 as Discord sent it. */
interface Refusal {
  retryAfterMs: number;
  global: boolean;
  scope: string;
  bucket?: string;
}

/** The fields of @discordjs/rest's sequential bucket handler read for status. */
interface BucketState {
  id: string;
  remaining?: number;
  limit?: number;
  reset?: number;
  limited?: boolean;
}

type Body = object;

export class DiscordRest {
  readonly #rest: REST;
  readonly #waitMaxMs: number;
  readonly #refusals = new Map<string, Refusal>();
  #sweeper: NodeJS.Timeout | undefined;
  requests = 0;
  refused429 = 0;
  heldBack = 0;
  #last429: (Refusal & { route: string; at: number }) | undefined;

  constructor(options: RestOptions) {
    this.#waitMaxMs = options.waitMaxMs;
    this.#rest = new REST({
      api: options.api,
      version: "10",
      retries: 0,
      timeout: options.timeoutMs,
      globalRequestsPerSecond: GLOBAL_REQUESTS_PER_SECOND,
      hashSweepInterval: 0,
      handlerSweepInterval: 0,
      rejectOnRateLimit: (data) => this.#reject(data),
      makeRequest: (url, init) => this.#fetch(url, init as RequestInit),
    }).setToken(options.token);
  }

  /** Forget idle buckets now and then (call at start; `stop` ends it). */
  startSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = setInterval(() => {
      this.#rest.handlers.sweep((handler) => handler.inactive);
      const now = Date.now();
      this.#rest.hashes.sweep((hash) => hash.lastAccess !== -1 && now - hash.lastAccess > HASH_LIFETIME_MS);
    }, SWEEP_INTERVAL_MS);
    this.#sweeper.unref();
  }

  stopSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  async #fetch(url: string, init: RequestInit): Promise<ResponseLike> {
    this.requests++;
    const response = await fetch(url, init);
    if (response.status === 429) {
      if (this.#refusals.size > 1_000) this.#refusals.clear(); // only ever holds calls in flight
      // Discord's body has the exact wait (`retry_after`, seconds with decimals); the header is rounded up.
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { retry_after?: unknown; global?: unknown } | undefined;
      const fromBody = typeof body?.retry_after === "number" ? body.retry_after * 1000 : undefined;
      this.#refusals.set(`${init.method ?? "GET"} ${url}`, {
        retryAfterMs: clampRetryAfter(fromBody ?? parseRetryAfter(response.headers.get("retry-after")) ?? 1000),
        global: body?.global === true || response.headers.get("x-ratelimit-global") === "true",
        scope: response.headers.get("x-ratelimit-scope") ?? "user",
        bucket: response.headers.get("x-ratelimit-bucket") ?? undefined,
      });
    }
    return response as unknown as ResponseLike;
  }

  /** Hand a 429 back at once; wait inside the client for a used-up bucket only when the wait is short. */
  #reject(data: RateLimitData): boolean {
    if (this.#refusals.has(`${data.method.toUpperCase()} ${data.url}`)) return true;
    if (data.timeToReset <= this.#waitMaxMs) {
      this.heldBack++;
      return false;
    }
    return true;
  }

  get<T>(route: `/${string}`, signal?: AbortSignal): Promise<T> {
    return this.#call<T>("GET", route, undefined, signal);
  }
  post<T>(route: `/${string}`, body: Body | undefined, signal?: AbortSignal): Promise<T> {
    return this.#call<T>("POST", route, body, signal);
  }
  patch<T>(route: `/${string}`, body: Body, signal?: AbortSignal): Promise<T> {
    return this.#call<T>("PATCH", route, body, signal);
  }
  put<T>(route: `/${string}`, signal?: AbortSignal): Promise<T> {
    return this.#call<T>("PUT", route, undefined, signal);
  }
  delete<T>(route: `/${string}`, signal?: AbortSignal): Promise<T> {
    return this.#call<T>("DELETE", route, undefined, signal);
  }

  async #call<T>(
    method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
    route: `/${string}`,
    body: Body | undefined,
    signal?: AbortSignal,
  ): Promise<T> {
    // One controller per call: the client never removes its listener from a signal it is given,
    // so handing it the account's long-lived signal would leak one listener per request.
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    if (signal?.aborted) abort();
    else signal?.addEventListener("abort", abort, { once: true });
    try {
      return (await this.#rest.request({
        method: method as never,
        fullRoute: route,
        ...(body ? { body } : {}),
        signal: controller.signal,
      })) as T;
    } catch (error) {
      throw this.#toDriverError(error, `${method} ${route}`);
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  /** The one mapping of a failed call onto Talon's driver errors. */
  #toDriverError(error: unknown, what: string): TalonError {
    if (error instanceof RateLimitError) {
      const key = `${error.method.toUpperCase()} ${error.url}`;
      const refusal = this.#refusals.get(key);
      this.#refusals.delete(key);
      if (refusal) {
        this.refused429++;
        this.#last429 = { ...refusal, route: error.route, at: Date.now() };
      }
      const retryAfterMs = Math.ceil(refusal?.retryAfterMs ?? Math.max(error.retryAfter, error.timeToReset));
      return new DriverRateLimitError(DRIVER_ID, retryAfterMs, {
        details: {
          route: error.route,
          global: refusal?.global ?? error.global,
          scope: refusal?.scope ?? error.scope,
          ...(refusal ? {} : { reason: "route bucket used up" }),
        },
      });
    }
    if (error instanceof DiscordAPIError) {
      const said = `${error.code ? `${error.code} ` : ""}${error.message}`.replace(/\s+/g, " ").slice(0, 300);
      return driverErrorForStatus(
        DRIVER_ID,
        error.status,
        {
          unauthorized: `Discord refused the bot token (401: ${said}); check token or DISCORD_BOT_TOKEN`,
          forbidden: `Discord refused ${what} (403: ${said}); does the bot have access and permission in this channel?`,
          notFound: `Discord does not know the target of ${what} (404: ${said})`,
          rejected: `Discord rejected ${what} (${error.status}: ${said})`,
          failed: `Discord failed on ${what} (${error.status}: ${said})`,
        },
        1000,
      );
    }
    if (error instanceof HTTPError)
      return new DriverNetworkError(DRIVER_ID, `Discord failed on ${what} (HTTP ${error.status} ${error.message})`);
    // After a 401 the client drops the token; every later call says so.
    if (error instanceof Error && error.message.startsWith("Expected token to be set"))
      return new DriverAuthError(
        DRIVER_ID,
        "Discord refused the bot token earlier (401); fix token or DISCORD_BOT_TOKEN and restart the account",
      );
    return new DriverNetworkError(DRIVER_ID, `cannot reach Discord for ${what}: ${errorMessage(error)}`, { cause: error });
  }

  /** Rate-limit state for channels.status: the global limit, used-up buckets, the last 429. */
  status(): Record<string, unknown> {
    const now = Date.now();
    const limited: { bucket: string; remaining: number; limit: number; resetInMs: number }[] = [];
    for (const handler of this.#rest.handlers.values()) {
      const state = handler as unknown as BucketState;
      if (state.limited === true && typeof state.reset === "number" && limited.length < STATUS_BUCKETS)
        limited.push({
          bucket: state.id,
          remaining: state.remaining ?? 0,
          limit: state.limit ?? 0,
          resetInMs: Math.max(0, state.reset - now),
        });
    }
    const globalLimited = this.#rest.globalRemaining <= 0 && now < this.#rest.globalReset;
    return {
      requests: this.requests,
      buckets: this.#rest.handlers.size,
      limitedBuckets: limited,
      global: { limited: globalLimited, resetInMs: globalLimited ? this.#rest.globalReset - now : 0 },
      refused429: this.refused429,
      heldBack: this.heldBack,
      ...(this.#last429
        ? {
            last429: {
              route: this.#last429.route,
              retryAfterMs: Math.round(this.#last429.retryAfterMs),
              global: this.#last429.global,
              scope: this.#last429.scope,
              agoMs: now - this.#last429.at,
            },
          }
        : {}),
    };
  }
}
