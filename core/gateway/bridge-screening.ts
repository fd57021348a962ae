/**
 * Screening of upstream frames in bridge mode: up to `gateway.bridge.max_inflight_frames` at
 * once, then a bounded backlog; beyond it a frame is counted and logged as not screened. The
 * socket is never paused (a tap may wait for an answer that arrives on it).
 */
import type { Logger } from "@talon/sdk";

/** Frames that may wait for a screening slot, per slot of `max_inflight_frames`. */
const BACKLOG_PER_SLOT = 4;

export class ScreeningPool {
  readonly #limit: () => number;
  readonly #log: Logger;
  readonly #backlog: (() => Promise<void>)[] = [];
  /** Frames being screened now. */
  inflight = 0;
  /** Frames not screened because the backlog was full. */
  dropped = 0;

  constructor(limit: () => number, log: Logger) {
    this.#limit = limit;
    this.#log = log;
  }

  /** Frames waiting for a slot. */
  get waiting(): number {
    return this.#backlog.length;
  }

  /** Run `task` now, later, or (backlog full) not at all. */
  schedule(task: () => Promise<void>, frame: Record<string, unknown>): void {
    const limit = this.#limit();
    if (this.inflight < limit) return this.#start(task);
    if (this.#backlog.length < limit * BACKLOG_PER_SLOT) {
      this.#backlog.push(task);
      return;
    }
    // Nothing left to buffer into: the frame is not screened. Counted and logged, never silent;
    // an unanswered upstream approval expires upstream rather than being allowed.
    this.dropped++;
    if (this.dropped === 1 || this.dropped % 100 === 0) {
      this.#log.error(
        { dropped: this.dropped, event: frame.event, method: frame.method, inflight: this.inflight },
        "bridge overloaded: upstream frames arrive faster than plugins screen them; frames were not screened (raise gateway.bridge.max_inflight_frames or speed up frame taps)",
      );
    }
  }

  #start(task: () => Promise<void>): void {
    this.inflight++;
    task()
      .catch((error) => this.#log.error({ err: error }, "an upstream frame could not be screened"))
      .finally(() => {
        this.inflight--;
        const next = this.#backlog.shift();
        if (next) this.#start(next);
      });
  }
}
