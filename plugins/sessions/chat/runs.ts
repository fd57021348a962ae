/**
 * Chat runs (seed-gateway §2.7): runId → session and status, for `chat.send` idempotency,
 * `chat.abort` and the rows' `activeRunIds`. Bounded: beyond the cap the oldest settled runs go
 * first, then the oldest in flight. Runs are transient and not persisted.
 */

export type ChatRunStatus = "in_flight" | "completed" | "aborted";

export interface ChatRun {
  readonly runId: string;
  readonly sessionKey: string;
  status: ChatRunStatus;
  readonly startedAt: number;
  updatedAt: number;
  timer?: NodeJS.Timeout;
}

/** Called once when a run settles (completes or is aborted). */
export type RunSettled = (run: ChatRun) => void;

export class ChatRuns {
  readonly #runs = new Map<string, ChatRun>();
  /** Lowercase session key → in-flight run ids (abort and activity match keys case-insensitively). */
  readonly #active = new Map<string, Set<string>>();
  readonly #max: () => number;
  readonly #settled: RunSettled;

  constructor(max: () => number, settled: RunSettled) {
    this.#max = max;
    this.#settled = settled;
  }

  get(runId: string): ChatRun | undefined {
    return this.#runs.get(runId);
  }

  /** Start a run that completes after `completeAfterMs` unless aborted first. */
  start(runId: string, sessionKey: string, completeAfterMs: number): ChatRun {
    const run = this.reserve(runId, sessionKey);
    this.arm(run, completeAfterMs);
    return run;
  }

  /**
   * Claim a run id before its message is written, so a duplicate sent meanwhile finds it. The
   * run is in flight but has no timer until {@link arm}; {@link release} forgets it silently.
   */
  reserve(runId: string, sessionKey: string): ChatRun {
    const now = Date.now();
    const run: ChatRun = { runId, sessionKey, status: "in_flight", startedAt: now, updatedAt: now };
    this.#runs.set(runId, run);
    this.#activeOf(sessionKey, true)!.add(runId);
    this.#evict();
    return run;
  }

  /** Let a reserved run complete after `completeAfterMs` (unless it was aborted meanwhile). */
  arm(run: ChatRun, completeAfterMs: number): void {
    if (run.status !== "in_flight") return;
    run.timer = setTimeout(() => this.#finish(run, "completed"), completeAfterMs);
    run.timer.unref();
  }

  /** Forget a reserved run whose message could not be written (no chat event). */
  release(run: ChatRun): void {
    clearTimeout(run.timer);
    if (this.#runs.get(run.runId) === run) this.#runs.delete(run.runId);
    const active = this.#activeOf(run.sessionKey, false);
    active?.delete(run.runId);
    if (active?.size === 0) this.#active.delete(run.sessionKey.toLowerCase());
  }

  /** Abort one in-flight run; false when it is not in flight. */
  abort(run: ChatRun): boolean {
    if (run.status !== "in_flight") return false;
    this.#finish(run, "aborted");
    return true;
  }

  /** Abort every in-flight run of a session (key compared case-insensitively); sorted ids. */
  abortSession(sessionKey: string): string[] {
    const ids = [...(this.#activeOf(sessionKey, false) ?? [])].sort();
    for (const id of ids) this.abort(this.#runs.get(id)!);
    return ids;
  }

  /** In-flight run ids of a session. */
  activeRunIds(sessionKey: string): string[] {
    const active = this.#activeOf(sessionKey, false);
    return active ? [...active] : [];
  }

  #activeOf(sessionKey: string, create: boolean): Set<string> | undefined {
    const lower = sessionKey.toLowerCase();
    let set = this.#active.get(lower);
    if (!set && create) this.#active.set(lower, (set = new Set()));
    return set;
  }

  #finish(run: ChatRun, status: "completed" | "aborted"): void {
    if (run.status !== "in_flight") return;
    clearTimeout(run.timer);
    run.timer = undefined;
    run.status = status;
    run.updatedAt = Date.now();
    const active = this.#activeOf(run.sessionKey, false);
    active?.delete(run.runId);
    if (active?.size === 0) this.#active.delete(run.sessionKey.toLowerCase());
    this.#settled(run);
  }

  #evict(): void {
    const max = this.#max();
    if (this.#runs.size <= max) return;
    for (const [id, run] of this.#runs) {
      if (this.#runs.size <= max) return;
      if (run.status !== "in_flight") this.#runs.delete(id);
    }
    for (const [id, run] of this.#runs) {
      if (this.#runs.size <= max) return;
      clearTimeout(run.timer);
      const active = this.#activeOf(run.sessionKey, false);
      active?.delete(id);
      if (active?.size === 0) this.#active.delete(run.sessionKey.toLowerCase());
      this.#runs.delete(id);
    }
  }

  /** Stop every timer (plugin stop); runs still in flight stay so until the process ends. */
  close(): void {
    for (const run of this.#runs.values()) clearTimeout(run.timer);
  }
}
