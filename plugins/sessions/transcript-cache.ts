/**
 * Transcripts held in memory, by sessionId, least recently used first. Bounded in sessions and,
 * per session, to the history window plus a little slack (trimmed in steps, not per event).
 */
import type { HistoryEvent } from "./entry.ts";
import { inWindow } from "./history.ts";

/** Events kept beyond the window before a cached transcript is trimmed. */
const TRIM_SLACK = 64;

export class TranscriptCache {
  readonly #byId = new Map<string, HistoryEvent[]>();
  readonly #maxSessions: () => number;

  constructor(maxSessions: () => number) {
    this.#maxSessions = maxSessions;
  }

  /** The cached transcript (marked recently used), or undefined. */
  get(sessionId: string): HistoryEvent[] | undefined {
    const cached = this.#byId.get(sessionId);
    if (cached === undefined) return undefined;
    this.#byId.delete(sessionId);
    this.#byId.set(sessionId, cached);
    return cached;
  }

  set(sessionId: string, events: HistoryEvent[]): void {
    this.#byId.delete(sessionId);
    this.#byId.set(sessionId, events);
    while (this.#byId.size > this.#maxSessions()) this.#byId.delete(this.#byId.keys().next().value!);
  }

  delete(sessionId: string): void {
    this.#byId.delete(sessionId);
  }

  /** Add a new event to a cached transcript (no-op when it is not cached). */
  append(sessionId: string, event: HistoryEvent, maxEvents: number): void {
    const cached = this.#byId.get(sessionId);
    if (cached === undefined) return;
    cached.push(event);
    if (cached.length > maxEvents + TRIM_SLACK) cached.splice(0, cached.length - maxEvents);
  }

  /** Drop cached events below a window that moved (compaction). */
  trimTo(sessionId: string, firstSeq: number): void {
    const cached = this.#byId.get(sessionId);
    if (cached !== undefined) this.#byId.set(sessionId, inWindow(cached, firstSeq));
  }
}
