/**
 * Calls the bridge made upstream and is waiting on: bounded in number, each with its own time
 * limit, all failed at once when the connection drops. A late answer to a call that already
 * timed out is ignored.
 */
import { RpcError, TalonError } from "@talon/sdk";
import { readWireError, upstreamError } from "./upstream-error.ts";

interface PendingCall {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Bounded map of upstream calls awaiting their `res`, each with a timeout. */
export class PendingCalls {
  readonly #calls = new Map<string, PendingCall>();
  readonly #prefix: string;
  #next = 0;

  constructor(
    readonly max: number,
    prefix = "talon",
  ) {
    this.#prefix = prefix;
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Register a call; returns its request id and the promise of its payload. Throws when full. */
  open(method: string, timeoutMs: number): { id: string; result: Promise<unknown> } {
    if (this.#calls.size >= this.max) {
      throw new RpcError("TALON_RPC_UNAVAILABLE", `cannot call ${method} upstream: ${this.max} calls are already waiting for an answer`, {
        hint: "raise gateway.bridge.max_pending_calls or call less often",
      });
    }
    const id = `${this.#prefix}-${++this.#next}`;
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(id);
        reject(new RpcError("TALON_RPC_UNAVAILABLE", `upstream ${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#calls.set(id, { method, resolve, reject, timer });
    });
    return { id, result };
  }

  /** Settle the call a `res` frame answers. False when no call has that id (late or foreign). */
  settle(frame: { id?: unknown; ok?: unknown; payload?: unknown; error?: unknown }): boolean {
    if (typeof frame.id !== "string") return false;
    const call = this.#calls.get(frame.id);
    if (!call) return false;
    this.#calls.delete(frame.id);
    clearTimeout(call.timer);
    if (frame.ok === true) call.resolve(frame.payload === undefined ? null : frame.payload);
    else call.reject(upstreamError(call.method, readWireError(frame.error)));
    return true;
  }

  /** Fail one call (e.g. its frame could not be sent). */
  fail(id: string, error: Error): void {
    const call = this.#calls.get(id);
    if (!call) return;
    this.#calls.delete(id);
    clearTimeout(call.timer);
    call.reject(error);
  }

  /** Fail every waiting call, e.g. when the connection closed. */
  failAll(reason: (method: string) => TalonError): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(reason(call.method));
    }
  }
}
