/**
 * A counting semaphore whose limit is read live (`runtime.worker_concurrency` can change on
 * reload). Waiters are served first come, first served; their number is bounded by the
 * scheduler (at most one waiter per active lane).
 */
export class Semaphore {
  #active = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #limit: () => number;

  constructor(limit: () => number) {
    this.#limit = limit;
  }

  /** Permits in use. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Take a permit now if one is free. */
  #tryAcquire(): boolean {
    if (this.#active >= Math.max(1, this.#limit()) || this.#waiters.length > 0) return false;
    this.#active++;
    return true;
  }

  /** Take a permit, waiting for one if needed. */
  acquire(): Promise<void> | undefined {
    if (this.#tryAcquire()) return undefined;
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Give a permit back; the longest waiters get the free permits (more than one when the limit was raised). */
  release(): void {
    this.#active--;
    const limit = Math.max(1, this.#limit());
    while (this.#waiters.length > 0 && this.#active < limit) {
      this.#active++;
      this.#waiters.shift()!();
    }
  }
}
