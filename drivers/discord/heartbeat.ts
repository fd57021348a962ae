/**
 * Gateway heartbeats as Discord documents them: the first after `interval × random[0,1)` (so a
 * fleet of clients reconnecting together does not beat in step), then one per interval. A beat
 * that is due while the previous one is still unacknowledged means the connection is a zombie
 * (open but dead): `zombie()` is called instead of beating again. Timers run on their own: no
 * message handling or defender work can delay them.
 */
export interface HeartbeatOptions {
  intervalMs: number;
  /** Send op 1 with the last sequence number. */
  beat(): void;
  /** No ACK arrived between two beats. */
  zombie(): void;
  /** The first beat's jitter in [0, 1); Math.random by default. */
  jitter?: number;
}

export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #acked = true;
  #sentAt = 0;
  #stopped = false;
  /** Round trip of the last acknowledged beat (ms). */
  latencyMs: number | undefined;
  /** `Date.now()` of the last ACK. */
  lastAckAt: number | undefined;
  beats = 0;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
  }

  start(): void {
    const jitter = this.#options.jitter ?? Math.random();
    this.#timer = setTimeout(
      () => {
        this.#tick();
        if (!this.#stopped) this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
      },
      Math.floor(this.#options.intervalMs * jitter),
    );
  }

  #tick(): void {
    if (this.#stopped) return;
    if (!this.#acked) {
      this.stop();
      this.#options.zombie();
      return;
    }
    this.#send();
  }

  #send(): void {
    this.#acked = false;
    this.#sentAt = performance.now();
    this.beats++;
    this.#options.beat();
  }

  /** The server asked for a beat (op 1): send one at once; the interval goes on as before. */
  beatNow(): void {
    if (!this.#stopped) this.#send();
  }

  /** Op 11. */
  ack(): void {
    this.#acked = true;
    this.lastAckAt = Date.now();
    this.latencyMs = Math.round(performance.now() - this.#sentAt);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
