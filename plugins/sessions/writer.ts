/**
 * One writer for the sessions store: jobs run strictly one after another, so concurrent patches
 * of one session are serialised, a label is claimed by exactly one session, and the coalesced
 * decision flush never interleaves with an RPC's write. The queue is bounded.
 */
import { RpcError } from "@talon/sdk";

/** Jobs allowed to wait; beyond this callers are told to retry (never an unbounded queue). */
export const MAX_QUEUED_JOBS = 10_000;

export class SerialWriter {
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /** Run `job` after every job queued before it; its result or error is the caller's. */
  run<T>(job: () => Promise<T> | T): Promise<T> {
    if (this.#queued >= MAX_QUEUED_JOBS) {
      return Promise.reject(
        new RpcError("TALON_RPC_UNAVAILABLE", "the sessions store is busy; retry shortly", { details: { queued: this.#queued } }),
      );
    }
    this.#queued++;
    const result = this.#tail.then(job);
    this.#tail = result.then(
      () => this.#queued--,
      () => this.#queued--,
    );
    return result;
  }

  /** Settles once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
