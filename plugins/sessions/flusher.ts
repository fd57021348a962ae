/**
 * Writes coalesced decision updates: at most `flushIntervalMs` after the first unwritten one,
 * sooner when many wait, in bounded batches through the sessions writer (so an RPC change queued
 * meanwhile gets its turn). A failed batch is put back and retried with backoff; while the store
 * refuses writes at most `maxPendingEvents` wait and the oldest are dropped beyond.
 */
import { errorMessage, type Logger, type Store } from "@talon/sdk";
import type { SessionsConfig } from "./config.ts";
import type { SessionState } from "./entry.ts";
import { rowKey } from "./history.ts";
import type { PendingWrites } from "./pending-writes.ts";
import type { SerialWriter } from "./writer.ts";

/** Rows per store batch (the SQLite backend takes at most 16,000 per atomic write). */
export const MAX_BATCH_ROWS = 7000;
/** Pending events that trigger a flush before the interval ends. */
const EARLY_FLUSH_EVENTS = 4096;
/** Retry delays after a failed flush. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Least time between two "events dropped" warnings. */
const DROP_WARN_INTERVAL_MS = 10_000;

export interface FlusherDeps {
  store: Store;
  writer: SerialWriter;
  pending: PendingWrites;
  log: Logger;
  config: () => SessionsConfig;
  /** The state is still its session's live state (not deleted since). */
  isLive(state: SessionState): boolean;
}

export class DecisionFlusher {
  readonly #deps: FlusherDeps;
  #timer: NodeJS.Timeout | undefined;
  #queued = false;
  #retryMs = 0;
  #dropped = 0;
  #droppedWarnedAt = 0;
  #stopped = false;

  constructor(deps: FlusherDeps) {
    this.#deps = deps;
  }

  /** Decision events that could not be kept (store too slow or failing). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events were added to the pending writes: bound them and make sure a flush is coming. */
  added(): void {
    const { pending, config } = this.#deps;
    if (pending.events > config().maxPendingEvents) this.#dropOldest();
    this.#schedule();
  }

  /** A decision could not even wait (its session was held too long); count it as dropped. */
  droppedOne(): void {
    this.#dropped++;
  }

  #dropOldest(): void {
    this.#dropped += this.#deps.pending.dropOldest();
    // One warning per interval while the store is behind, not one per dropped batch.
    const now = Date.now();
    if (now - this.#droppedWarnedAt < DROP_WARN_INTERVAL_MS) return;
    this.#droppedWarnedAt = now;
    this.#deps.log.warn(
      { droppedTotal: this.#dropped, code: "TALON_STATE_WRITE_FAILED" },
      "the store is not keeping up; oldest unwritten decision events dropped (counters are kept)",
    );
  }

  #schedule(): void {
    if (this.#stopped || this.#queued) return;
    if (this.#deps.pending.events >= EARLY_FLUSH_EVENTS && this.#retryMs === 0) {
      this.#clearTimer();
      this.#queue();
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#queue();
    }, this.#retryMs || this.#deps.config().flushIntervalMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #queue(): void {
    this.#queued = true;
    this.#deps.writer
      .run(() => {
        this.#queued = false;
        return this.#batch();
      })
      .then(
        () => {
          this.#retryMs = 0;
        },
        (error) => {
          this.#queued = false;
          const first = this.#retryMs === 0;
          this.#retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.#retryMs * 2));
          if (first)
            this.#deps.log.error(
              { err: error, code: "TALON_STATE_WRITE_FAILED", pending: this.#deps.pending.events },
              `session writes failed; retrying: ${errorMessage(error)}`,
            );
        },
      )
      .finally(() => {
        if (!this.#deps.pending.empty) this.#schedule();
      });
  }

  /** Write everything pending now (waits for earlier writes). */
  async flush(): Promise<void> {
    this.#clearTimer();
    await this.#deps.writer.run(() => this.flushAll());
    this.#retryMs = 0;
  }

  /** Everything pending, batch after batch. Call only inside the writer. */
  async flushAll(): Promise<void> {
    while (!this.#deps.pending.empty) await this.#batch();
  }

  /** One bounded batch; runs inside the writer. */
  async #batch(): Promise<void> {
    const { pending, store, isLive } = this.#deps;
    const batch = pending.take(MAX_BATCH_ROWS);
    const entries: { key: string; value: unknown }[] = [];
    for (const state of batch.dirty) if (isLive(state)) entries.push({ key: `meta:${state.rec.key}`, value: state.rec });
    for (let i = 0; i < batch.events.length; i++) {
      const state = batch.states[i]!;
      const event = batch.events[i]!;
      // Skip events of deleted sessions and events already out of the window.
      if (!isLive(state) || event.seq < state.rec.firstSeq) continue;
      entries.push({ key: rowKey(state.rec.sessionId, event.seq), value: event });
    }
    try {
      await store.setMany(entries);
    } catch (error) {
      pending.putBack(batch);
      throw error;
    }
    for (const state of batch.dirty) await this.trimRows(state);
  }

  /** Delete rows that rolled out of the window (best effort: loads skip them anyway). */
  async trimRows(state: SessionState): Promise<void> {
    const rec = state.rec;
    if (state.trimmedBelow >= rec.firstSeq) return;
    const keys: string[] = [];
    for (let seq = Math.max(state.trimmedBelow, rec.firstSeq - 2 * this.#deps.config().maxHistoryEvents); seq < rec.firstSeq; seq++)
      keys.push(rowKey(rec.sessionId, seq));
    try {
      for (let i = 0; i < keys.length; i += MAX_BATCH_ROWS) await this.#deps.store.deleteMany(keys.slice(i, i + MAX_BATCH_ROWS));
      state.trimmedBelow = rec.firstSeq;
    } catch (error) {
      this.#deps.log.warn({ err: error, key: rec.key }, "could not delete rolled-out transcript rows; they are ignored and retried later");
    }
  }

  /** No more timers; a last `flushAll` is the caller's. */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }
}
