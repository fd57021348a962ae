/**
 * Deadlines of running evaluations on one shared timer (`runtime.eval_timeout_ms`).
 *
 * A timer and a timeout promise per evaluation cost about 1 µs, a measurable share of an
 * evaluation at tens of thousands per second. Here an evaluation's deadline is a node in a
 * doubly linked list (unlinked when it finishes) and one Node.js timer is armed for the earliest
 * deadline. When it fires, every deadline that has passed is expired: a stage racing it settles
 * with TIMED_OUT, and a later stage of that evaluation settles with TIMED_OUT at once. The timer
 * keeps the process alive only while some evaluation is running, as a per-evaluation timer did.
 */

/** What a stage settles with when its evaluation's deadline passed first. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

function ignore(): void {}

/** One evaluation's deadline. */
export class Deadline {
  /** `performance.now()` time the deadline passes. */
  readonly at: number;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  /** Settles the stage racing the deadline right now, if any. */
  wake: ((value: typeof TIMED_OUT) => void) | undefined;
  linked = true;
  expired = false;

  constructor(at: number) {
    this.at = at;
  }
}

/** The shared timer. */
export class DeadlineClock {
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (`performance.now()` time); Infinity when none is armed. */
  #armedAt = Number.POSITIVE_INFINITY;
  #refed = false;
  /** Every deadline in the list is at or after the one before it (`eval_timeout_ms` is usually constant). */
  #ordered = true;
  readonly #fire = () => this.#expire();

  /** Start a deadline `ms` from now. */
  start(ms: number): Deadline {
    const deadline = new Deadline(performance.now() + ms);
    const tail = this.#tail;
    deadline.prev = tail;
    if (tail) {
      tail.next = deadline;
      if (deadline.at < tail.at) this.#ordered = false;
    } else {
      this.#head = deadline;
      this.#ordered = true;
    }
    this.#tail = deadline;
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    else if (!this.#refed) {
      this.#timer!.ref();
      this.#refed = true;
    }
    return deadline;
  }

  /** `work`'s result, or TIMED_OUT if the deadline passes (or passed) first. */
  race<T>(deadline: Deadline, work: Promise<T>): Promise<T | typeof TIMED_OUT> {
    if (deadline.expired) {
      // Nobody waits for the work any more; its failure must not surface as an unhandled rejection.
      work.catch(ignore);
      return Promise.resolve(TIMED_OUT);
    }
    return new Promise<T | typeof TIMED_OUT>((resolve, reject) => {
      deadline.wake = resolve;
      work.then(resolve, reject);
    });
  }

  /** The evaluation is over: forget its deadline. */
  finish(deadline: Deadline): void {
    deadline.wake = undefined;
    if (deadline.linked) this.#unlink(deadline);
    // Nothing running: the armed timer must not keep the process alive.
    if (this.#head === undefined && this.#refed) {
      this.#timer!.unref();
      this.#refed = false;
    }
  }

  #unlink(deadline: Deadline): void {
    deadline.linked = false;
    if (deadline.prev) deadline.prev.next = deadline.next;
    else this.#head = deadline.next;
    if (deadline.next) deadline.next.prev = deadline.prev;
    else this.#tail = deadline.prev;
    deadline.prev = deadline.next = undefined;
  }

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(at - performance.now())));
    this.#refed = true;
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    this.#refed = false;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    // In start order the passed deadlines are at the front; after a change of `eval_timeout_ms`
    // they may be anywhere, so the whole list is looked at.
    for (let deadline = this.#head; deadline; ) {
      const following = deadline.next;
      if (deadline.at <= now) this.#expireOne(deadline);
      else if (this.#ordered) {
        next = deadline.at;
        break;
      } else if (deadline.at < next) next = deadline.at;
      deadline = following;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }

  #expireOne(deadline: Deadline): void {
    this.#unlink(deadline);
    deadline.expired = true;
    const wake = deadline.wake;
    deadline.wake = undefined;
    wake?.(TIMED_OUT);
  }
}
