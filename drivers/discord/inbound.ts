/**
 * Messages received on the gateway wait here until Talon admits them. The gateway handler only
 * pushes (acknowledge, then work); the queue hands them to `ctx.receive` several at a time
 * (admission is a durable write, so one at a time would leave the store idle between writes),
 * but never two of one channel at once, so each chat keeps its order. A slow defender or a full
 * inbox never holds up the socket or its heartbeats.
 *
 * Nothing received is dropped: a refusal that may pass later (Talon busy or stopping) pauses the
 * queue and tries again, the queue stops on stop and carries on at the next start, and it knows
 * the sequence number up to which everything was admitted, so a RESUME from there makes Discord
 * replay the rest. A message refused as invalid is logged and passed over: it will never pass.
 */
import { errorMessage, isTalonError, type InboundDraft, type Logger, type ReceiveResult } from "@talon/sdk";
import type { GatewayMessage } from "./normalize.ts";

/** Messages handed to Talon at once. */
const IN_FLIGHT = 64;
/** How far past the oldest waiting message the queue looks for one of a free channel. */
const LOOKAHEAD = IN_FLIGHT * 4;
/** Pauses while Talon cannot take messages yet. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;
/** How long stop waits for messages in hand. */
const STOP_WAIT_MS = 2_000;

interface Entry {
  /** The gateway session the message came on and its sequence number there. */
  session: number;
  seq: number;
  message: GatewayMessage;
  state: "waiting" | "flight" | "done";
}

export interface InboundQueueOptions {
  max: number;
  /** Turn a gateway message into Talon's draft; undefined skips it. */
  toDraft(message: GatewayMessage): Promise<InboundDraft | undefined>;
  receive(draft: InboundDraft): Promise<ReceiveResult>;
  log: Logger;
}

export class InboundQueue {
  readonly #options: InboundQueueOptions;
  readonly #entries: Entry[] = [];
  #head = 0;
  readonly #queuedIds = new Set<string>();
  readonly #busyChannels = new Set<string>();
  #inFlight = 0;
  #running = false;
  #pausedUntil = 0;
  #retryDelay = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  /** The last message handed over in order: a replay of it (or of anything before it) is not queued again. */
  #done = { session: -1, seq: -1 };
  readonly #settled = new Set<() => void>();
  readonly #roomWaiters = new Set<() => void>();
  /** Counters for status. */
  admitted = 0;
  invalid = 0;
  retried = 0;
  overflows = 0;

  constructor(options: InboundQueueOptions) {
    this.#options = options;
  }

  /** Messages not yet handed over (in hand included). */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /**
   * Queue a message; false when the queue is full (nothing was queued). A message already queued,
   * or replayed by a RESUME after it was handed over, is not queued again.
   */
  push(session: number, seq: number, message: GatewayMessage): boolean {
    if (this.#queuedIds.has(message.id)) return true;
    if (session === this.#done.session && seq <= this.#done.seq) return true;
    if (this.size >= this.#options.max) {
      this.overflows++;
      return false;
    }
    this.#entries.push({ session, seq, message, state: "waiting" });
    this.#queuedIds.add(message.id);
    this.#pump();
    return true;
  }

  /**
   * The last sequence number of `session` up to which every message was handed over: resuming
   * from it makes Discord replay everything still waiting here. `received` when nothing of it waits.
   */
  committedSeq(session: number, received: number): number {
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.session === session && entry.state !== "done") return Math.min(received, entry.seq - 1);
    }
    return received;
  }

  /** Start (or restart) handing messages over. */
  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Stop handing messages over; wait (at most STOP_WAIT_MS) for those in hand. What waits stays for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#settled.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, STOP_WAIT_MS);
      this.#settled.add(finish);
    });
  }

  /** Is the queue at most half full (room for a replay)? */
  get roomy(): boolean {
    return this.size <= Math.floor(this.#options.max / 2);
  }

  /** Resolve once the queue is at most half full (or at once). */
  waitForRoom(signal: AbortSignal): Promise<void> {
    if (this.roomy || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#roomWaiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      signal.addEventListener("abort", wake, { once: true });
      this.#roomWaiters.add(wake);
    });
  }

  /** Hand over waiting messages of free channels, oldest first, up to IN_FLIGHT at once. */
  #pump(): void {
    if (!this.#running || this.#inFlight >= IN_FLIGHT) return;
    const now = Date.now();
    if (now < this.#pausedUntil) return;
    const end = Math.min(this.#entries.length, this.#head + LOOKAHEAD);
    for (let i = this.#head; i < end && this.#inFlight < IN_FLIGHT; i++) {
      const entry = this.#entries[i]!;
      if (entry.state !== "waiting" || this.#busyChannels.has(entry.message.channel_id)) continue;
      entry.state = "flight";
      this.#inFlight++;
      this.#busyChannels.add(entry.message.channel_id);
      void this.#deliver(entry).then((ok) => this.#settle(entry, ok));
    }
  }

  /** True when the message is done with (admitted, a duplicate, or invalid); false to try again. */
  async #deliver(entry: Entry): Promise<boolean> {
    try {
      const draft = await this.#options.toDraft(entry.message);
      if (draft) {
        await this.#options.receive(draft);
        this.admitted++;
      }
      return true;
    } catch (error) {
      if (isTalonError(error) && error.code === "TALON_DRIVER_VALIDATION") {
        this.invalid++;
        this.#options.log.warn(
          { message: entry.message.id, channel: entry.message.channel_id },
          `message refused by Talon, skipped: ${errorMessage(error)}`,
        );
        return true;
      }
      if (this.#running)
        this.#options.log.debug(
          { message: entry.message.id },
          `Talon could not take the message yet; trying again: ${errorMessage(error)}`,
        );
      return false;
    }
  }

  #settle(entry: Entry, ok: boolean): void {
    this.#inFlight--;
    this.#busyChannels.delete(entry.message.channel_id);
    if (ok) {
      entry.state = "done";
      this.#retryDelay = RETRY_MIN_MS;
      this.#advance();
    } else {
      entry.state = "waiting";
      this.retried++;
      this.#pauseFor(this.#retryDelay);
      this.#retryDelay = Math.min(RETRY_MAX_MS, this.#retryDelay * 2);
    }
    if (this.#inFlight === 0) for (const settled of [...this.#settled]) settled();
    this.#pump();
  }

  #pauseFor(ms: number): void {
    this.#pausedUntil = Date.now() + ms;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, ms);
  }

  /** Drop the handed-over messages at the front. */
  #advance(): void {
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.state === "done") {
      const entry = this.#entries[this.#head++]!;
      this.#queuedIds.delete(entry.message.id);
      if (entry.session !== this.#done.session || entry.seq > this.#done.seq) this.#done = { session: entry.session, seq: entry.seq };
    }
    // Compact now and then instead of shifting an array on every message.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#roomWaiters.size > 0 && this.roomy) for (const wake of [...this.#roomWaiters]) wake();
  }
}
