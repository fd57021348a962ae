/**
 * The `/sync` long-poll loop. The position (`since`) is saved only after every event of a batch
 * was admitted by Talon, so a crash or a refused message means the batch is fetched again
 * (Talon drops what it already has), never skipped. A message Talon refuses as invalid is
 * logged and passed over; any other refusal waits and retries the same batch.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isTalonError, type InboundDraft, type Logger, type ReceiveResult, type Store } from "@talon/sdk";
import type { MatrixClient } from "./api.ts";
import { toDraft, type RoomEvent } from "./normalize.ts";

/** Extra time the HTTP request gets beyond the long-poll timeout. */
const REQUEST_SLACK_MS = 15_000;
/** Pause before fetching a batch again after Talon could not take it. */
const REFUSED_RETRY_MS = 500;

interface SyncResponse {
  next_batch: string;
  account_data?: { events?: { type: string; content?: Record<string, unknown> }[] };
  rooms?: { join?: Record<string, { timeline?: { events?: RoomEvent[] } }> };
}

export interface SyncLoopOptions {
  client: MatrixClient;
  store: Store;
  botUserId: string;
  timeoutMs: number;
  log: Logger;
  receive(draft: InboundDraft): Promise<ReceiveResult>;
  /** Called once when the loop dies on a transport error; the core restarts the driver. */
  connectionLost(error: unknown): void;
}

export class SyncLoop {
  readonly #options: SyncLoopOptions;
  readonly #abort = new AbortController();
  readonly #direct = new Set<string>();
  #since: string | undefined;
  #running: Promise<void> | undefined;

  constructor(options: SyncLoopOptions) {
    this.#options = options;
  }

  /** Resume from the saved position, or take the current one without replaying room history. */
  async begin(): Promise<void> {
    this.#since = await this.#options.store.get<string>("since");
    const initial = await this.#options.client.request<SyncResponse>("GET", "sync", {
      query: { timeout: "0", ...(this.#since ? { since: this.#since } : {}) },
      signal: this.#abort.signal,
    });
    this.#readDirectRooms(initial);
    if (this.#since) {
      if (!(await this.#deliver(initial))) return;
    }
    await this.#save(initial.next_batch);
  }

  /** Start polling in the background. */
  run(): void {
    this.#running = this.#loop();
  }

  /** Stop polling and wait for the loop to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const { client, timeoutMs } = this.#options;
    while (!this.#abort.signal.aborted) {
      let batch: SyncResponse;
      try {
        batch = await client.request<SyncResponse>("GET", "sync", {
          query: { since: this.#since!, timeout: String(timeoutMs) },
          signal: this.#abort.signal,
          timeoutMs: timeoutMs + REQUEST_SLACK_MS,
        });
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        this.#options.connectionLost(error);
        return;
      }
      this.#readDirectRooms(batch);
      if (await this.#deliver(batch)) await this.#save(batch.next_batch);
      else await this.#pause(REFUSED_RETRY_MS);
    }
  }

  /** Hand every message of the batch to Talon; false if one must be fetched again. */
  async #deliver(batch: SyncResponse): Promise<boolean> {
    for (const [roomId, room] of Object.entries(batch.rooms?.join ?? {})) {
      for (const event of room.timeline?.events ?? []) {
        const draft = toDraft(event, roomId, this.#options.botUserId, this.#direct);
        if (!draft) continue;
        try {
          await this.#options.receive(draft);
        } catch (error) {
          if (isTalonError(error) && error.code === "TALON_DRIVER_VALIDATION") {
            this.#options.log.warn({ event: event.event_id, room: roomId }, `message refused by Talon, skipped: ${errorMessage(error)}`);
            continue;
          }
          this.#options.log.warn(
            { event: event.event_id },
            `Talon could not take the message yet; fetching the batch again: ${errorMessage(error)}`,
          );
          return false;
        }
      }
    }
    return true;
  }

  #readDirectRooms(batch: SyncResponse): void {
    for (const event of batch.account_data?.events ?? []) {
      if (event.type !== "m.direct") continue;
      this.#direct.clear();
      for (const rooms of Object.values(event.content ?? {}))
        if (Array.isArray(rooms)) for (const room of rooms) this.#direct.add(String(room));
    }
  }

  async #save(since: string): Promise<void> {
    this.#since = since;
    await this.#options.store.set("since", since);
  }

  /** Wait `ms`, or less when the loop stops (the timer's abort listener goes with it). */
  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => {});
  }
}
