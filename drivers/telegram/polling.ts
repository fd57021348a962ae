/**
 * The long-poll loop over `getUpdates`. grammY's own `Bot` polling confirms an update as soon as
 * its handler returns; this loop owns the offset instead, so an update is confirmed (the next
 * `offset`) and saved only after Talon admitted it: nothing admitted is dropped, and nothing is
 * confirmed that Talon did not take. A batch is handed to Talon at once (one durable write for
 * the burst), and the offset stops before the first message Talon could not take yet.
 *
 * Transport failures end the loop through `connectionLost` (the core restarts the account with
 * bounded backoff, re-polling from the saved offset); a 429 waits the platform's retry_after,
 * bounded; a 409 (another consumer of the token) is reported as a lost connection, never retried
 * in a hot loop.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isTalonError, type InboundDraft, type Logger, type ReceiveResult, type Store } from "@talon/sdk";
import type { Api } from "grammy";
import { apiSignal, toDriverError } from "./api.ts";
import { ALLOWED_UPDATES } from "./constants.ts";
import { normalizeUpdate, type BotIdentity } from "./normalize.ts";

/** Pause before polling the same batch again after Talon could not take a message. */
const REFUSED_RETRY_MS = 500;
/** Longest wait for a getUpdates 429 inside the loop; a longer one goes through the core's backoff. */
const MAX_POLL_WAIT_MS = 60_000;
/** Store key of the next update id to fetch. */
export const OFFSET_KEY = "offset";

export interface PollingOptions {
  poller: Api;
  token: string;
  store: Store;
  bot: BotIdentity;
  timeoutSecs: number;
  limit: number;
  log: Logger;
  receive(draft: InboundDraft): Promise<ReceiveResult>;
  /** Called once when the loop dies on a transport error; the core restarts the account. */
  connectionLost(error: unknown): void;
}

export class PollingLoop {
  readonly #options: PollingOptions;
  readonly #abort = new AbortController();
  #offset: number | undefined;
  #running: Promise<void> | undefined;

  constructor(options: PollingOptions) {
    this.#options = options;
  }

  /** The next update id to fetch (undefined before the first update). */
  get offset(): number | undefined {
    return this.#offset;
  }

  /** Read the saved offset, then poll in the background. */
  async start(): Promise<void> {
    const saved = await this.#options.store.get<number>(OFFSET_KEY);
    this.#offset = typeof saved === "number" && Number.isSafeInteger(saved) ? saved : undefined;
    this.#running = this.#loop();
  }

  /** Stop polling (the request in flight is aborted) and wait for the loop to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const { poller, timeoutSecs, limit, token, log } = this.#options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let updates: unknown[];
      try {
        updates = await poller.getUpdates(
          {
            ...(this.#offset === undefined ? {} : { offset: this.#offset }),
            timeout: timeoutSecs,
            limit,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          apiSignal(signal),
        );
        if (!Array.isArray(updates)) throw new Error("getUpdates returned something other than a list");
      } catch (error) {
        if (signal.aborted) return;
        const failure = toDriverError(error, token, "getUpdates");
        const retryAfter = (failure as { retryAfterMs?: number }).retryAfterMs;
        if (failure.code === "TALON_DRIVER_RATE_LIMITED" && retryAfter !== undefined && retryAfter <= MAX_POLL_WAIT_MS) {
          log.warn({ retryAfterMs: retryAfter }, "Telegram rate-limited getUpdates; waiting its retry_after");
          await this.#pause(retryAfter);
          continue;
        }
        this.#options.connectionLost(failure);
        return;
      }
      if (!(await this.#deliver(updates))) await this.#pause(REFUSED_RETRY_MS);
    }
  }

  /** Hand a batch to Talon; advance and save the offset past what was taken. False: poll again. */
  async #deliver(updates: unknown[]): Promise<boolean> {
    const { bot, log } = this.#options;
    const sorted = updates
      .map((update) => ({ update, id: (update as { update_id?: unknown })?.update_id }))
      .filter((entry): entry is { update: unknown; id: number } => {
        if (typeof entry.id === "number" && Number.isSafeInteger(entry.id)) return true;
        log.warn({}, "Telegram sent an update without an update_id; skipped");
        return false;
      })
      .sort((a, b) => a.id - b.id);
    // Everything of the batch goes to Talon at once; results are read in update order.
    const results = sorted.map(({ update, id }) => {
      if (this.#offset !== undefined && id < this.#offset) return Promise.resolve<Outcome>({ id, taken: true });
      const normalized = normalizeUpdate(update, bot);
      if (normalized.kind !== "message") {
        const level = normalized.kind === "malformed" ? "warn" : "debug";
        log[level]({ updateId: id }, `Telegram update skipped: ${normalized.reason}`);
        return Promise.resolve<Outcome>({ id, taken: true });
      }
      return this.#options.receive(normalized.draft).then(
        (): Outcome => ({ id, taken: true }),
        (error: unknown): Outcome => {
          if (isTalonError(error) && error.code === "TALON_DRIVER_VALIDATION") {
            log.warn({ updateId: id }, `Talon refused the message, skipped: ${errorMessage(error)}`);
            return { id, taken: true };
          }
          return { id, taken: false, error };
        },
      );
    });
    let next = this.#offset;
    let complete = true;
    for (const outcome of await Promise.all(results)) {
      if (!outcome.taken) {
        log.warn({ updateId: outcome.id }, `Talon could not take the message yet; polling it again: ${errorMessage(outcome.error)}`);
        complete = false;
        break;
      }
      next = Math.max(next ?? 0, outcome.id + 1);
    }
    if (next !== this.#offset && next !== undefined) {
      this.#offset = next;
      // Telegram confirms by the next poll's offset; the stored copy serves a restart (a failed
      // write only means the restart re-reads a few updates, which Talon drops as duplicates).
      await this.#options.store.set(OFFSET_KEY, next).catch((error: unknown) => {
        log.error({ err: error }, `could not save the polling offset: ${errorMessage(error)}`);
      });
    }
    return complete;
  }

  /** Wait `ms`, or less when the loop stops. */
  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => undefined);
  }
}

type Outcome = { id: number; taken: true } | { id: number; taken: false; error: unknown };
