/**
 * The writer of RPC changes (patch, send, reset, delete, compact): each change holds its session,
 * is built, written to the store and only then applied to memory. Changes queued together are
 * built one after another and written in one atomic batch (group commit); `exclusive` changes
 * (they read a transcript) run alone. The registry supplies memory, locks and cleanup.
 */
import { RpcError, errorMessage, type Logger, type Store } from "@talon/sdk";
import type { Change } from "./change.ts";
import { stateOf, type SessionState } from "./entry.ts";
import { rowKey } from "./history.ts";
import { MAX_QUEUED_JOBS, type SerialWriter } from "./writer.ts";

/** Changes written together in one group commit (each is a record and at most a few rows). */
const MAX_GROUP_JOBS = 256;

type StoreEntry = { key: string; value: unknown; ttlMs?: number };

/** A queued change. */
interface Job {
  key: string;
  operation: string;
  build: (current: SessionState | undefined, now: number) => Change<unknown> | Promise<Change<unknown>>;
  exclusive: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** What the queue needs from the registry. */
export interface CommitHost {
  readonly store: Store;
  readonly log: Logger;
  readonly writer: SerialWriter;
  readonly byKey: ReadonlyMap<string, SessionState>;
  archiveRetentionDays(): number;
  closed(): boolean;
  labelOwner(label: string): string | undefined;
  /** Labels claimed (key) or released (null) by earlier changes of the group being built. */
  setOverlayLabels(labels: Map<string, string | null> | undefined): void;
  lock(keys: readonly string[]): void;
  unlock(): void;
  apply(key: string, current: SessionState | undefined, change: Change<unknown>): SessionState | undefined;
  cleanup(change: Change<unknown>, state: SessionState | undefined): Promise<void>;
}

export class CommitQueue {
  readonly #host: CommitHost;
  readonly #jobs: Job[] = [];
  #drainQueued = false;

  constructor(host: CommitHost) {
    this.#host = host;
  }

  /**
   * Change one session: hold it, build the change (which may throw: nothing is written), write
   * the store, then apply the change to memory. Changes whose build is synchronous are grouped:
   * those queued together are built one after another against each other's results and written
   * in one atomic batch (group commit), so many clients patching at once cost one store write.
   * `exclusive` changes (reset, delete, compact: they read a transcript) run alone.
   */
  commit<T>(
    key: string,
    operation: string,
    build: (current: SessionState | undefined, now: number) => Change<T> | Promise<Change<T>>,
    options: { exclusive?: boolean } = {},
  ): Promise<T> {
    if (this.#jobs.length >= MAX_QUEUED_JOBS) {
      return Promise.reject(
        new RpcError("TALON_RPC_UNAVAILABLE", "the sessions store is busy; retry shortly", { details: { queued: this.#jobs.length } }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({
        key,
        operation,
        build,
        exclusive: options.exclusive === true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (this.#drainQueued) return;
      this.#drainQueued = true;
      this.#host.writer.run(() => this.#drainJobs()).catch((error) => this.#host.log.error({ err: error }, "session change queue failed"));
    });
  }

  /**
   * Runs inside the writer: the changes queued so far, in order, in groups. Changes queued
   * meanwhile wait for the next drain, behind any decision flush queued before it.
   */
  async #drainJobs(): Promise<void> {
    this.#drainQueued = false;
    const jobs = this.#jobs.splice(0);
    let next = 0;
    try {
      while (next < jobs.length) {
        if (this.#host.closed()) {
          for (const job of jobs.slice(next))
            job.reject(new RpcError("TALON_RPC_UNAVAILABLE", "the sessions plugin is stopping; retry after the restart"));
          return;
        }
        let end = next + 1;
        if (!jobs[next]!.exclusive) while (end < jobs.length && end - next < MAX_GROUP_JOBS && !jobs[end]!.exclusive) end++;
        // A change on its own needs no group bookkeeping.
        if (end - next === 1) await this.#runExclusive(jobs[next]!);
        else await this.#runGroup(jobs.slice(next, end));
        next = end;
      }
    } catch (error) {
      // No job stays unsettled: those not run yet (and any of the failed run: settling twice is a
      // no-op) are refused with the error.
      for (const job of jobs.slice(next)) job.reject(error);
      throw error;
    }
  }

  async #runExclusive(job: Job): Promise<void> {
    this.#host.lock([job.key]);
    try {
      const current = this.#host.byKey.get(job.key);
      const change = await job.build(current, Date.now());
      await this.#write(job.key, job.operation, change);
      const state = this.#host.apply(job.key, current, change);
      await this.#host.cleanup(change, state);
      job.resolve(change.result(state));
    } catch (error) {
      job.reject(error);
    } finally {
      this.#host.unlock();
    }
  }

  /** Build every change against the ones before it, write them in one batch, then apply them. */
  async #runGroup(jobs: Job[]): Promise<void> {
    this.#host.lock(jobs.map((job) => job.key));
    const overlay = new Map<string, SessionState>();
    const labels = new Map<string, string | null>();
    this.#host.setOverlayLabels(labels);
    const built: { job: Job; change: Change<unknown> }[] = [];
    const entries: StoreEntry[] = [];
    try {
      const now = Date.now();
      for (const job of jobs) {
        const current = overlay.get(job.key) ?? this.#host.byKey.get(job.key);
        let change: Change<unknown>;
        try {
          change = job.build(current, now) as Change<unknown>;
        } catch (error) {
          job.reject(error);
          continue;
        }
        if (change.next) {
          const previous = current?.rec.label;
          const next = change.next.label;
          if (previous !== undefined && previous.toLowerCase() !== next?.toLowerCase() && this.#host.labelOwner(previous) === job.key)
            labels.set(previous.toLowerCase(), null);
          if (next !== undefined) labels.set(next.toLowerCase(), job.key);
          overlay.set(job.key, stateOf(change.next));
        }
        built.push({ job, change });
        entries.push(...this.#entriesOf(job.key, change));
      }
      try {
        if (entries.length > 0) await this.#host.store.setMany(entries);
      } catch (error) {
        for (const { job } of built) job.reject(this.#writeError(job.operation, job.key, error));
        return;
      }
      this.#host.setOverlayLabels(undefined);
      for (const { job, change } of built) {
        try {
          const state = this.#host.apply(job.key, this.#host.byKey.get(job.key), change);
          await this.#host.cleanup(change, state);
          job.resolve(change.result(state));
        } catch (error) {
          job.reject(error);
        }
      }
    } finally {
      this.#host.setOverlayLabels(undefined);
      this.#host.unlock();
    }
  }

  #entriesOf(key: string, change: Change<unknown>): StoreEntry[] {
    const entries: StoreEntry[] = [];
    if (change.archive)
      entries.push({
        key: `archive:${change.archive.id}`,
        value: change.archive.value,
        ttlMs: this.#host.archiveRetentionDays() * 86_400_000,
      });
    if (change.next) entries.push({ key: `meta:${key}`, value: change.next });
    for (const event of change.rows ?? []) entries.push({ key: rowKey(change.next!.sessionId, event.seq), value: event });
    if (change.extra) entries.push(...change.extra);
    return entries;
  }

  #writeError(operation: string, key: string, error: unknown): RpcError {
    return new RpcError(
      "TALON_RPC_UNAVAILABLE",
      `${operation} was not applied: the store write failed (${errorMessage(error)}); the session is unchanged, retry once the store is writable`,
      {
        cause: error,
        details: { code: "TALON_STATE_WRITE_FAILED", sessionKey: key },
      },
    );
  }

  async #write(key: string, operation: string, change: Change<unknown>): Promise<void> {
    const entries = this.#entriesOf(key, change);
    try {
      if (entries.length > 0) await this.#host.store.setMany(entries);
      if (change.remove) await this.#host.store.delete(`meta:${key}`);
    } catch (error) {
      if (change.archive && change.remove) await this.#host.store.delete(`archive:${change.archive.id}`).catch(() => undefined);
      throw this.#writeError(operation, key, error);
    }
  }
}
