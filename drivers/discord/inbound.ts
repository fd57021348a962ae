/**
 * Messages received on the gateway wait here until Talon admits them. The gateway handler only
 * pushes (acknowledge, then work); one worker hands them to `ctx.receive` in order, so a slow
 * defender or a full inbox never holds up the socket or its heartbeats.
 *
 * Nothing received is dropped: a refusal that may pass later (Talon busy or stopping) is retried,
 * the worker pauses on stop and carries on at the next start, and the queue knows the sequence
 * number up to which everything was admitted, so a RESUME from there makes Discord replay the
 * rest. A message refused as invalid is logged and passed over: it will never be accepted.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isTalonError, type InboundDraft, type Logger, type ReceiveResult } from "@talon/sdk";
import type { GatewayMessage } from "./normalize.ts";

/** Pauses between attempts while Talon cannot take a message yet. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;
/** How long stop waits for the message in hand. */
const STOP_WAIT_MS = 2_000;

interface Entry {
  /** The gateway session the message came on and its sequence number there. */
  session: number;
  seq: number;
  message: GatewayMessage;
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
  /** The last message handed over: a replay of it (or of anything before it) is not queued again. */
  #done = { session: -1, seq: -1 };
  #running = false;
  /** Bumped by stop: a worker of an earlier generation finishes the message in hand and leaves. */
  #generation = 0;
  #worker: Promise<void> | undefined;
  #abort = new AbortController();
  #roomWaiters: (() => void)[] = [];
  /** Counters for status. */
  admitted = 0;
  invalid = 0;
  retried = 0;
  overflows = 0;

  constructor(options: InboundQueueOptions) {
    this.#options = options;
  }

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
    this.#entries.push({ session, seq, message });
    this.#queuedIds.add(message.id);
    if (this.#running && this.#worker === undefined) this.#spawn();
    return true;
  }

  /**
   * The last sequence number of `session` up to which every message was admitted: resuming from
   * it makes Discord replay everything still waiting here. `received` when nothing of it waits.
   */
  committedSeq(session: number, received: number): number {
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.session === session) return Math.min(received, entry.seq - 1);
    }
    return received;
  }

  /** Start (or restart) the worker. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    if (this.size > 0) this.#spawn();
  }

  /**
   * Stop the worker after the message in hand (waiting for it at most STOP_WAIT_MS: a stuck
   * `inbound` tap must not hold up a restart); what is still queued stays for the next start.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    this.#abort.abort();
    const worker = this.#worker;
    if (!worker) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([worker, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Has the queue room to take a replay (at most half full)? */
  get roomy(): boolean {
    return this.size <= Math.floor(this.#options.max / 2);
  }

  /** Resolve once the queue is at most half full (or at once). */
  waitForRoom(signal: AbortSignal): Promise<void> {
    if (this.roomy || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        resolve();
      };
      signal.addEventListener("abort", wake, { once: true });
      this.#roomWaiters.push(wake);
    });
  }

  #spawn(): void {
    const run = this.#work();
    this.#worker = run;
    void run.finally(() => {
      if (this.#worker === run) this.#worker = undefined;
    });
  }

  async #work(): Promise<void> {
    const signal = this.#abort.signal;
    const generation = this.#generation;
    let delay = RETRY_MIN_MS;
    while (this.#running && generation === this.#generation && this.size > 0) {
      const entry = this.#entries[this.#head]!;
      if (await this.#deliver(entry)) {
        delay = RETRY_MIN_MS;
        // A newer worker may have handed it over meanwhile (Talon dropped the second as a duplicate).
        if (this.#entries[this.#head] === entry) this.#shift(entry);
      } else {
        this.retried++;
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }

  /** True when the message is done with (admitted, a duplicate, or invalid); false to try again. */
  async #deliver(entry: Entry): Promise<boolean> {
    let draft: InboundDraft | undefined;
    try {
      draft = await this.#options.toDraft(entry.message);
      if (!draft) return true;
      await this.#options.receive(draft);
      this.admitted++;
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

  #shift(entry: Entry): void {
    this.#queuedIds.delete(entry.message.id);
    if (entry.session !== this.#done.session || entry.seq > this.#done.seq) this.#done = { session: entry.session, seq: entry.seq };
    this.#head++;
    // Compact now and then instead of shifting an array on every message.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#roomWaiters.length > 0 && this.roomy) for (const wake of this.#roomWaiters.splice(0)) wake();
  }
}
