/**
 * A token bucket that paces sends and honours a platform's `retry_after`: `take()` is synchronous
 * while tokens last (the hot path allocates nothing); otherwise callers wait in a bounded FIFO.
 * `pause(ms)` stops every send until the platform's deadline, then pacing resumes.
 */
import { DriverRateLimitError } from "@talon/sdk";

/** setTimeout's longest delay; a longer one fires after 1 ms (and the drain would spin). */
const MAX_TIMER_MS = 2_147_483_647;
/** Waiters beyond this are refused at once instead of queueing without bound. */
export const MAX_WAITERS = 10_000;

export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  readonly #owner: string;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;
  readonly #waiters: { resolve(): void; reject(error: unknown): void }[] = [];
  #timer: NodeJS.Timeout | undefined;

  /** `perSecond` sustained rate, `burst` tokens available at once; `owner` names the driver in errors. */
  constructor(perSecond: number, burst: number, owner: string) {
    this.#ratePerMs = perSecond / 1000;
    this.#capacity = Math.max(1, burst);
    this.#tokens = this.#capacity;
    this.#updatedAt = performance.now();
    this.#owner = owner;
  }

  #refill(now: number): void {
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
      this.#updatedAt = now;
    }
  }

  /** Take a token now if one is free and the bucket is not paused. */
  tryTake(): boolean {
    if (this.#waiters.length > 0) return false; // keep FIFO order
    const now = performance.now();
    if (now < this.#pausedUntil) return false;
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Resolve when a token is taken; `undefined` when one was free (no promise allocated). */
  take(): Promise<void> | undefined {
    if (this.tryTake()) return undefined;
    if (this.#waiters.length >= MAX_WAITERS) {
      return Promise.reject(new DriverRateLimitError(this.#owner, this.#delayUntilNext(), { details: { reason: "send queue full" } }));
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Stop handing out tokens for `ms` (the platform's retry-after); later pauses extend it. */
  pause(ms: number): void {
    const until = performance.now() + Math.max(0, ms);
    if (until > this.#pausedUntil) this.#pausedUntil = until;
    // Whatever was accumulated is spent: after a 429 the platform wants a quiet period, not a burst.
    this.#tokens = Math.min(this.#tokens, 1);
    this.#updatedAt = Math.max(this.#updatedAt, until);
    if (this.#waiters.length > 0) this.#schedule(true);
  }

  /** Milliseconds until the bucket is unpaused (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - performance.now());
  }

  /** Waiters queued. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Reject every waiter (the account stops). */
  close(error: unknown): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  #delayUntilNext(): number {
    const now = performance.now();
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#ratePerMs;
  }

  #schedule(reset = false): void {
    if (this.#timer && !reset) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#drain(), Math.min(MAX_TIMER_MS, Math.ceil(this.#delayUntilNext())));
  }

  #drain(): void {
    this.#timer = undefined;
    const now = performance.now();
    if (now >= this.#pausedUntil) {
      this.#refill(now);
      while (this.#waiters.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#waiters.shift()!.resolve();
      }
    }
    if (this.#waiters.length > 0) this.#schedule();
  }
}
