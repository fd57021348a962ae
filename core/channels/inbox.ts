/**
 * The durable inbox: a received message is written to the store before the driver may
 * acknowledge it to the platform, and removed once the defender has decided. Messages still in
 * the inbox at start-up (a crash, a stop mid-evaluation) are processed again, so a message the
 * platform saw acknowledged is never lost.
 *
 * Writes of the same tick are batched into one `setMany` (one SQLite statement), so durability
 * costs one write per burst, not one per message.
 */
import type { Store } from "@talon/sdk";

/** Rows per store call (SQLite allows 16,000 per statement here). */
const MAX_BATCH = 1_000;

/** What the inbox keeps of a message (the platform payload `raw` is not stored). */
export interface InboxEntry {
  channel: string;
  accountId: string;
  message: Record<string, unknown>;
  admittedAt: number;
  /** Times processing was attempted after a restart. */
  replays: number;
}

interface PendingWrite {
  key: string;
  value: InboxEntry;
  resolve(): void;
  reject(error: unknown): void;
}

export class Inbox {
  readonly #store: Store;
  readonly #dead: Store;
  #writes: PendingWrite[] = [];
  #deletes: string[] = [];
  #scheduled = false;
  #flushing: Promise<void> = Promise.resolve();

  /** `store` holds the inbox; `dead` the entries that kept failing (a sibling namespace). */
  constructor(store: Store, dead: Store) {
    this.#store = store;
    this.#dead = dead;
  }

  /** Store `entry` under `key`; resolves once it is durable. */
  admit(key: string, entry: InboxEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#writes.push({ key, value: entry, resolve, reject });
      this.#schedule();
    });
  }

  /** Forget a processed message (batched, best effort: a leftover is only replayed). */
  done(key: string): void {
    this.#deletes.push(key);
    this.#schedule();
  }

  /** Move an entry that keeps failing out of the inbox, keeping it for an operator. */
  async deadLetter(key: string, entry: InboxEntry): Promise<void> {
    await this.#dead.set(key, entry);
    await this.#store.delete(key);
  }

  /** Entries left from an earlier run. */
  async pending(): Promise<[string, InboxEntry][]> {
    const out: [string, InboxEntry][] = [];
    for await (const [key, value] of this.#store.entries<InboxEntry>()) {
      if (value && typeof value === "object" && "message" in value) out.push([key, value]);
    }
    return out;
  }

  /** Write everything queued (stop). */
  async flush(): Promise<void> {
    this.#scheduled = false;
    await this.#run();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      if (!this.#scheduled) return;
      this.#scheduled = false;
      void this.#run();
    });
  }

  #run(): Promise<void> {
    // Serialise flushes so a delete never overtakes the write of the same key.
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const writes = this.#writes;
    const deletes = this.#deletes;
    this.#writes = [];
    this.#deletes = [];
    for (let i = 0; i < writes.length; i += MAX_BATCH) {
      const batch = writes.slice(i, i + MAX_BATCH);
      try {
        await this.#store.setMany(batch.map((write) => ({ key: write.key, value: write.value })));
        for (const write of batch) write.resolve();
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    for (let i = 0; i < deletes.length; i += MAX_BATCH) {
      await this.#store.deleteMany(deletes.slice(i, i + MAX_BATCH)).catch(() => undefined);
    }
  }
}
