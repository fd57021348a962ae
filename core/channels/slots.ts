/**
 * A counting semaphore with a bounded waiting line: inbound messages being processed at once.
 * When both are full the caller is refused (a webhook answers 429), never queued without bound.
 */
export class Slots {
  readonly #max: number;
  readonly #maxWaiting: number;
  #used = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number, maxWaiting: number) {
    this.#max = max;
    this.#maxWaiting = maxWaiting;
  }

  /** `true` when a slot was taken at once, a promise when the caller waits, `false` when refused. */
  acquire(): true | Promise<void> | false {
    if (this.#used < this.#max) {
      this.#used++;
      return true;
    }
    if (this.#waiting.length >= this.#maxWaiting) return false;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#used--;
  }

  get inUse(): number {
    return this.#used;
  }

  get waiting(): number {
    return this.#waiting.length;
  }
}
