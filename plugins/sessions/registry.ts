/**
 * The session registry: an in-memory index of every session, loaded at start-up with one range
 * scan, over the store as durable truth.
 *
 * - RPC changes (patch, send, reset, delete, compact) run in order in the writer: validate, write
 *   the store, and only then change memory, so a failed write leaves the session as it was.
 *   Changes queued together are written in one atomic batch (group commit).
 * - Decisions change memory at once (counters must be current for the next read) and are written
 *   coalesced: one batch per `flushIntervalMs`, one row per event plus one record per touched
 *   session. While an RPC write holds a session, its decisions wait and then apply in order.
 *
 * Store layout (plugin namespace): `meta:<canonical key>` → SessionRecord;
 * `t:<sessionId>:<seq>` → HistoryEvent; `archive:<id>` → archived transcript (with a TTL).
 */
import { randomBytes } from "node:crypto";
import { RpcError, TalonError, errorMessage, type DecisionRecord, type Logger, type Store } from "@talon/sdk";
import type { SessionsConfig } from "./config.ts";
import { createRecord, isSessionRecord, shapeRecord, stateOf, type HistoryEvent, type SessionRecord, type SessionState } from "./entry.ts";
import { inWindow, noteEvent, rowKey } from "./history.ts";
import { archivePath } from "./store-path.ts";
import { optionalText } from "./text.ts";
import { PendingWrites } from "./pending-writes.ts";
import { TranscriptCache } from "./transcript-cache.ts";
import { DecisionFlusher, MAX_BATCH_ROWS } from "./flusher.ts";
import { MAX_QUEUED_JOBS, SerialWriter } from "./writer.ts";

/** Changes written together in one group commit (each is a record and at most a few rows). */
const MAX_GROUP_JOBS = 256;

/** What an RPC change does; built inside the writer while the session is held. */
export interface Change<T> {
  /** The session's new record (absent: unchanged). */
  next?: SessionRecord;
  /** Delete the session. */
  remove?: boolean;
  /** New transcript events, under `next.sessionId`. */
  rows?: HistoryEvent[];
  /** Other entries written in the same batch (e.g. a remembered chat run id). */
  extra?: { key: string; value: unknown; ttlMs?: number }[];
  /** An archived transcript to keep (written in the same batch as the record). */
  archive?: { id: string; value: unknown };
  /**
   * A whole old transcript to delete once committed. Rows of this transcript that fell out of
   * the window (events rolled out, compaction) are trimmed after every commit.
   */
  dropTranscript?: string;
  result(state: SessionState | undefined): T;
}

/** A message to record (sessions.send, chat.send, chat.inject, the public API). */
export interface SendInput {
  text?: string;
  command?: string;
  requestId?: string;
  source: string;
  /** Event channel; with `replaceChannel` it also becomes the session's channel. */
  channel?: string;
  /** Replace the session's channel (sends) or only fill it when empty (chat: seed §8 item 16). */
  replaceChannel: boolean;
  to?: string;
  accountId?: string;
}

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

export interface RegistryOptions {
  store: Store;
  log: Logger;
  config: () => SessionsConfig;
  /** Reported `path` of envelopes. */
  path: string;
}

function isHistoryEvent(value: unknown): value is HistoryEvent {
  const event = value as HistoryEvent;
  return typeof event === "object" && event !== null && typeof event.seq === "number" && typeof event.atMs === "number";
}

export class SessionRegistry {
  /** Every session by canonical key. */
  readonly byKey = new Map<string, SessionState>();
  readonly path: string;
  readonly #bySessionId = new Map<string, string>();
  readonly #byLabel = new Map<string, string>();
  readonly #store: Store;
  readonly #log: Logger;
  readonly #config: () => SessionsConfig;
  readonly #writer = new SerialWriter();
  readonly #cache: TranscriptCache;
  readonly #pending = new PendingWrites();
  readonly #flusher: DecisionFlusher;
  /** Sessions held by the change being written; their decisions wait in `#deferred`. */
  readonly #lockedKeys = new Set<string>();
  /** Queued changes (bounded). */
  readonly #jobs: Job[] = [];
  #overlayLabels: Map<string, string | null> | undefined;
  #drainQueued = false;
  #deferred: (() => void)[] = [];
  #idSeq = 0;
  #closed = false;

  constructor(options: RegistryOptions) {
    this.#store = options.store;
    this.#log = options.log;
    this.#config = options.config;
    this.path = options.path;
    this.#cache = new TranscriptCache(() => this.#config().transcriptCacheSessions);
    this.#flusher = new DecisionFlusher({
      store: this.#store,
      writer: this.#writer,
      pending: this.#pending,
      log: this.#log,
      config: this.#config,
      isLive: (state) => this.byKey.get(state.rec.key) === state,
    });
  }

  /** Load every session record (one range scan). Unreadable records are skipped and kept. */
  async load(): Promise<{ sessions: number; skipped: number }> {
    let skipped = 0;
    for await (const [key, value] of this.#store.namespace("meta").entries()) {
      if (!isSessionRecord(value) || value.key !== key) {
        skipped++;
        continue;
      }
      this.#index(stateOf(shapeRecord(value)));
    }
    if (skipped > 0) this.#log.warn({ skipped }, "skipped unreadable session records; they stay in the store untouched");
    return { sessions: this.byKey.size, skipped };
  }

  #index(state: SessionState): void {
    const rec = state.rec;
    this.byKey.set(rec.key, state);
    this.#bySessionId.set(rec.sessionId.toLowerCase(), rec.key);
    if (rec.label !== undefined && !this.#byLabel.has(rec.label.toLowerCase())) this.#byLabel.set(rec.label.toLowerCase(), rec.key);
  }

  #unindex(rec: SessionRecord): void {
    if (this.#bySessionId.get(rec.sessionId.toLowerCase()) === rec.key) this.#bySessionId.delete(rec.sessionId.toLowerCase());
    if (rec.label !== undefined && this.#byLabel.get(rec.label.toLowerCase()) === rec.key) this.#byLabel.delete(rec.label.toLowerCase());
  }

  /** A new session id, unique across restarts (`sess-<ms>-<seq>-<random>`). */
  newSessionId(now: number): string {
    return `sess-${now}-${++this.#idSeq}-${randomBytes(3).toString("hex")}`;
  }

  /** Exact lookup, or case-insensitive when asked (sessions.resolve, chat.inject). */
  find(key: string, caseInsensitive = false): SessionState | undefined {
    const exact = this.byKey.get(key);
    if (exact || !caseInsensitive) return exact;
    const lower = key.toLowerCase();
    for (const [candidate, state] of this.byKey) if (candidate.toLowerCase() === lower) return state;
    return undefined;
  }

  /** The session whose current id equals `sessionId` (case-insensitive). */
  findBySessionId(sessionId: string): SessionState | undefined {
    const key = this.#bySessionId.get(sessionId.toLowerCase());
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** The key holding `label` (case-insensitive), if any. */
  labelOwner(label: string): string | undefined {
    const lower = label.toLowerCase();
    // Inside a group commit, labels claimed or released by earlier changes of the group count.
    const pending = this.#overlayLabels?.get(lower);
    if (pending !== undefined) return pending ?? undefined;
    return this.#byLabel.get(lower);
  }

  // --- decisions (hot path) ------------------------------------------------------------------

  /** Record a decision into its canonical session (seed §4.1 and §4.2). Synchronous. */
  recordDecision(record: DecisionRecord): void {
    if (this.#closed) return;
    const action = record.action;
    // normalizeAction guarantees a canonical key (`global` when the action named none).
    const key = action.sessionKey;
    if (this.#lockedKeys.size > 0 && this.#lockedKeys.has(key)) {
      if (this.#deferred.length >= this.#config().maxPendingEvents) this.#flusher.droppedOne();
      else this.#deferred.push(() => this.recordDecision(record));
      return;
    }
    const now = Date.now();
    let state = this.byKey.get(key);
    if (state === undefined) {
      state = stateOf(createRecord(key, this.newSessionId(now), now));
      this.#index(state);
    }
    const rec = state.rec;
    const verdict = record.decision.action;
    const channel = action.channel;
    rec.updatedAtMs = now;
    rec.totalRequests++;
    if (verdict === "allow") rec.allowedCount++;
    else if (verdict === "review") rec.reviewCount++;
    else rec.blockedCount++;
    rec.lastAction = verdict;
    rec.lastRiskScore = record.decision.risk_score;
    if (rec.channel === null && channel !== undefined) rec.channel = channel;
    if (rec.firstSeenMs === undefined) rec.firstSeenMs = now;
    rec.lastSeenMs = now;
    const source = optionalText(action.source, 128);
    rec.lastSource = source;
    rec.lastChannel = channel ?? null;
    // Which tool call of which run: set for every decision, cleared when the action named none.
    const context = action.context;
    rec.lastTool = action.tool;
    rec.lastAgentId = context?.agentId;
    rec.lastRunId = context?.runId;
    rec.lastToolCallId = context?.toolCallId;
    const event: HistoryEvent = { seq: rec.nextSeq, atMs: now, kind: "decision", action: verdict, riskScore: record.decision.risk_score };
    if (action.tool !== undefined) event.tool = action.tool;
    if (context?.agentId !== undefined) event.agentId = context.agentId;
    if (context?.runId !== undefined) event.runId = context.runId;
    if (context?.toolCallId !== undefined) event.toolCallId = context.toolCallId;
    if (verdict !== "allow") event.reasons = boundedReasons(record.decision.reasons);
    if (action.id !== "unknown") event.requestId = action.id;
    const text = optionalText(action.prompt, 2048);
    if (text !== undefined) event.text = text;
    const command = optionalText(action.command, 1024);
    if (command !== undefined) event.command = command;
    if (source !== undefined) event.source = source;
    const eventChannel = channel ?? rec.channel ?? undefined;
    if (eventChannel !== undefined) event.channel = eventChannel;
    const config = this.#config();
    noteEvent(rec, event, config);
    this.#cache.append(rec.sessionId, event, config.maxHistoryEvents);
    this.#pending.push(state, event);
    this.#flusher.added();
    if (this.byKey.size > config.maxSessions) this.#schedulePrune();
  }

  /** Decision events that could not be kept (store too slow or failing). */
  get droppedEvents(): number {
    return this.#flusher.dropped;
  }

  /** Decision events waiting to be written. */
  get pendingEvents(): number {
    return this.#pending.events;
  }

  /** Write every coalesced decision update now (waits for earlier writes). */
  flush(): Promise<void> {
    return this.#flusher.flush();
  }

  // --- transcripts ---------------------------------------------------------------------------

  /** The session's transcript window, oldest first. */
  async transcript(state: SessionState): Promise<HistoryEvent[]> {
    const rec = state.rec;
    if (rec.nextSeq === rec.firstSeq) return [];
    const cached = this.#cache.get(rec.sessionId);
    if (cached) return inWindow(cached, rec.firstSeq);
    return this.#writer.run(() => this.#loadTranscript(state));
  }

  /** Runs inside the writer, so no flush or RPC write interleaves with the scan. */
  async #loadTranscript(state: SessionState): Promise<HistoryEvent[]> {
    const sessionId = state.rec.sessionId;
    const cached = this.#cache.get(sessionId);
    if (cached) return inWindow(cached, state.rec.firstSeq);
    const bySeq = new Map<number, HistoryEvent>();
    for await (const [, value] of this.#store.namespace("t").namespace(sessionId).entries()) {
      if (isHistoryEvent(value)) bySeq.set(value.seq, value);
    }
    // Events recorded before or during the scan that are not written yet.
    for (const event of this.#pending.eventsOf(state)) bySeq.set(event.seq, event);
    if (state.rec.sessionId !== sessionId || this.byKey.get(state.rec.key) !== state) return [];
    const all = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const events = inWindow(all, state.rec.firstSeq);
    // Rows a failed trim left behind are deleted with the next write of this session.
    if (all.length > events.length) state.trimmedBelow = Math.min(state.trimmedBelow, all[0]!.seq);
    this.#cache.set(sessionId, events.slice());
    return events;
  }

  // --- RPC changes ---------------------------------------------------------------------------

  /**
   * Change one session: hold it, build the change (which may throw: nothing is written), write
   * the store, then apply the change to memory. Changes whose build is synchronous are grouped:
   * those queued together are built one after another against each other's results and written
   * in one atomic batch (group commit), so many clients patching at once cost one store write.
   * `exclusive` changes (reset, delete, compact: they read a transcript) run alone.
   */
  commit<T>(key: string, operation: string, build: (current: SessionState | undefined, now: number) => Change<T>): Promise<T>;
  commit<T>(
    key: string,
    operation: string,
    build: (current: SessionState | undefined, now: number) => Promise<Change<T>>,
    options: { exclusive: true },
  ): Promise<T>;
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
      this.#writer.run(() => this.#drainJobs()).catch((error) => this.#log.error({ err: error }, "session change queue failed"));
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
        if (this.#closed) {
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
    this.#lock([job.key]);
    try {
      const current = this.byKey.get(job.key);
      const change = await job.build(current, Date.now());
      await this.#write(job.key, job.operation, change);
      const state = this.#apply(job.key, current, change);
      await this.#cleanup(change, state);
      job.resolve(change.result(state));
    } catch (error) {
      job.reject(error);
    } finally {
      this.#unlock();
    }
  }

  /** Build every change against the ones before it, write them in one batch, then apply them. */
  async #runGroup(jobs: Job[]): Promise<void> {
    this.#lock(jobs.map((job) => job.key));
    const overlay = new Map<string, SessionState>();
    const labels = new Map<string, string | null>();
    this.#overlayLabels = labels;
    const built: { job: Job; change: Change<unknown> }[] = [];
    const entries: StoreEntry[] = [];
    try {
      const now = Date.now();
      for (const job of jobs) {
        const current = overlay.get(job.key) ?? this.byKey.get(job.key);
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
          if (previous !== undefined && previous.toLowerCase() !== next?.toLowerCase() && this.labelOwner(previous) === job.key)
            labels.set(previous.toLowerCase(), null);
          if (next !== undefined) labels.set(next.toLowerCase(), job.key);
          overlay.set(job.key, stateOf(change.next));
        }
        built.push({ job, change });
        entries.push(...this.#entriesOf(job.key, change));
      }
      try {
        if (entries.length > 0) await this.#store.setMany(entries);
      } catch (error) {
        for (const { job } of built) job.reject(this.#writeError(job.operation, job.key, error));
        return;
      }
      this.#overlayLabels = undefined;
      for (const { job, change } of built) {
        try {
          const state = this.#apply(job.key, this.byKey.get(job.key), change);
          await this.#cleanup(change, state);
          job.resolve(change.result(state));
        } catch (error) {
          job.reject(error);
        }
      }
    } finally {
      this.#overlayLabels = undefined;
      this.#unlock();
    }
  }

  #lock(keys: readonly string[]): void {
    for (const key of keys) this.#lockedKeys.add(key);
  }

  /** Release held sessions and apply the decisions that waited for them, in order. */
  #unlock(): void {
    this.#lockedKeys.clear();
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const run of deferred) run();
  }

  #entriesOf(key: string, change: Change<unknown>): StoreEntry[] {
    const entries: StoreEntry[] = [];
    if (change.archive)
      entries.push({
        key: `archive:${change.archive.id}`,
        value: change.archive.value,
        ttlMs: this.#config().archiveRetentionDays * 86_400_000,
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
      if (entries.length > 0) await this.#store.setMany(entries);
      if (change.remove) await this.#store.delete(`meta:${key}`);
    } catch (error) {
      if (change.archive && change.remove) await this.#store.delete(`archive:${change.archive.id}`).catch(() => undefined);
      throw this.#writeError(operation, key, error);
    }
  }

  #apply(key: string, current: SessionState | undefined, change: Change<unknown>): SessionState | undefined {
    if (change.remove) {
      if (current) {
        this.#unindex(current.rec);
        this.byKey.delete(key);
        this.#pending.forget(current);
        this.#cache.delete(current.rec.sessionId);
      }
      return undefined;
    }
    if (!change.next) return current;
    if (current === undefined) {
      const state = stateOf(change.next);
      this.#index(state);
      if (this.byKey.size > this.#config().maxSessions) this.#schedulePrune();
      return state;
    }
    const previous = current.rec;
    this.#unindex(previous);
    current.rec = change.next;
    this.#index(current);
    if (previous.sessionId !== change.next.sessionId) {
      this.#cache.delete(previous.sessionId);
      this.#pending.purge(current);
      current.trimmedBelow = change.next.firstSeq;
    } else {
      const max = this.#config().maxHistoryEvents;
      for (const event of change.rows ?? []) this.#cache.append(change.next.sessionId, event, max);
      if (!change.rows && change.next.firstSeq > previous.firstSeq) this.#cache.trimTo(change.next.sessionId, change.next.firstSeq);
    }
    return current;
  }

  /** Best-effort deletions after a commit; a leftover row is never read back. */
  async #cleanup(change: Change<unknown>, state: SessionState | undefined): Promise<void> {
    try {
      if (change.dropTranscript !== undefined) await this.#store.namespace("t").namespace(change.dropTranscript).clear();
      // Rows below the window: rolled out by new events, or compacted away (a compaction moves
      // `firstSeq` by less than the window, well inside the range trimRows deletes).
      if (state) await this.#flusher.trimRows(state);
    } catch (error) {
      this.#log.warn({ err: error }, "could not delete old transcript rows; they are never read back");
    }
  }

  /** The transcript window while the session is held by `commit` (no writer round trip). */
  heldTranscript(state: SessionState): Promise<HistoryEvent[]> {
    const cached = this.#cache.get(state.rec.sessionId);
    if (cached) return Promise.resolve(inWindow(cached, state.rec.firstSeq));
    if (state.rec.nextSeq === state.rec.firstSeq) return Promise.resolve([]);
    return this.#loadTranscript(state);
  }

  /** A change that records one message (seed §4.1 "recording a send"). */
  buildSend(key: string, current: SessionState | undefined, now: number, input: SendInput): { next: SessionRecord; event: HistoryEvent } {
    const next = current ? shapeRecord(current.rec) : createRecord(key, this.newSessionId(now), now);
    next.updatedAtMs = now;
    if (input.channel !== undefined && (input.replaceChannel || next.channel === null)) next.channel = input.channel;
    if (input.to !== undefined) next.lastTo = input.to;
    if (input.accountId !== undefined) next.lastAccountId = input.accountId;
    const event: HistoryEvent = { seq: next.nextSeq, atMs: now, kind: "send", source: input.source };
    if (input.requestId !== undefined) event.requestId = input.requestId;
    if (input.text !== undefined) event.text = input.text;
    if (input.command !== undefined) event.command = input.command;
    const channel = input.channel ?? next.channel ?? undefined;
    if (channel !== undefined) event.channel = channel;
    noteEvent(next, event, this.#config());
    return { next, event };
  }

  /** An archive id in upstream's style: `<sessionId>.<reason>.<ISO time>`. */
  archiveId(sessionId: string, reason: string, now: number): string {
    return `${sessionId}.${reason}.${new Date(now).toISOString().replace(/:/g, "-")}`;
  }

  /** Where an archive is reported. */
  archivePath(archiveId: string): string {
    return archivePath(this.path, archiveId);
  }

  // --- bounds --------------------------------------------------------------------------------

  #pruneQueued = false;

  #schedulePrune(): void {
    if (this.#pruneQueued || this.#closed) return;
    this.#pruneQueued = true;
    this.#writer
      .run(() => this.#prune())
      .catch((error) => this.#log.error({ err: error }, `session pruning failed: ${errorMessage(error)}`))
      .finally(() => (this.#pruneQueued = false));
  }

  /** Drop the least recently updated sessions (never a main session) down to 95 % of the cap. */
  async #prune(): Promise<void> {
    const max = this.#config().maxSessions;
    if (this.byKey.size <= max) return;
    await this.#flusher.flushAll();
    const victims = [...this.byKey.values()]
      .filter((state) => state.parsed.kind !== "main")
      .sort((a, b) => a.rec.updatedAtMs - b.rec.updatedAtMs)
      .slice(0, this.byKey.size - Math.floor(max * 0.95));
    for (let i = 0; i < victims.length; i += MAX_BATCH_ROWS) {
      const batch = victims.slice(i, i + MAX_BATCH_ROWS);
      await this.#store.deleteMany(batch.map((state) => `meta:${state.rec.key}`));
      // The whole batch leaves memory at once (no await between), then transcripts are cleared:
      // best effort, each on its own, so a failing clear neither keeps deleted sessions in
      // memory nor stops later batches (a leftover row is never read back).
      for (const state of batch) {
        this.#unindex(state.rec);
        this.byKey.delete(state.rec.key);
        this.#pending.forget(state);
        this.#cache.delete(state.rec.sessionId);
      }
      for (const state of batch) {
        try {
          await this.#store.namespace("t").namespace(state.rec.sessionId).clear();
        } catch (error) {
          this.#log.warn(
            { err: error, key: state.rec.key },
            "could not delete a pruned session's transcript rows; they are never read back",
          );
        }
      }
    }
    this.#log.warn({ pruned: victims.length, maxSessions: max }, "session cap reached; least recently updated sessions pruned");
  }

  /** Flush what is pending and stop accepting work. */
  async close(): Promise<void> {
    this.#flusher.stop();
    try {
      await this.#writer.run(() => this.#flusher.flushAll());
    } catch (error) {
      throw new TalonError(
        "TALON_STATE_WRITE_FAILED",
        `could not write ${this.#pending.events} session events at shutdown: ${errorMessage(error)}`,
        { cause: error, plugin: "sessions" },
      );
    } finally {
      this.#closed = true;
      await this.#writer.idle().catch(() => undefined);
    }
  }
}

/** Most reasons kept per history event, and the longest reason kept. */
const MAX_HISTORY_REASONS = 8;
const MAX_REASON_CHARS = 512;

/** The reasons of a review or block, bounded for the history. */
function boundedReasons(reasons: readonly string[]): string[] {
  return reasons
    .slice(0, MAX_HISTORY_REASONS)
    .map((reason) => (reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason));
}
