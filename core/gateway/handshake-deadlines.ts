/**
 * One timer for every connection still in its handshake, instead of one timer per connection:
 * it is armed for the earliest deadline, closes whatever expired, and re-arms.
 */

/** What the sweeper needs from a pending connection. */
export interface PendingHandshake {
  readonly handshakeDeadline: number;
  /** Close an expired handshake (upstream: code 1000, empty reason). */
  expire(): void;
}

/** The set of unfinished handshakes and the one timer that expires them. */
export class HandshakeDeadlines<T extends PendingHandshake> {
  readonly #pending = new Set<T>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;

  get size(): number {
    return this.#pending.size;
  }

  add(entry: T): void {
    this.#pending.add(entry);
    if (entry.handshakeDeadline < this.#armedFor) this.#arm(entry.handshakeDeadline);
  }

  delete(entry: T): void {
    this.#pending.delete(entry);
    if (this.#pending.size === 0) this.#disarm();
  }

  /** Stop the timer (server shutdown). */
  clear(): void {
    this.#pending.clear();
    this.#disarm();
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #arm(deadline: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, deadline - Date.now()));
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const entry of this.#pending) {
      if (entry.handshakeDeadline <= now) {
        this.#pending.delete(entry);
        entry.expire();
      } else if (entry.handshakeDeadline < next) {
        next = entry.handshakeDeadline;
      }
    }
    if (next !== Infinity) this.#arm(next);
  }
}
