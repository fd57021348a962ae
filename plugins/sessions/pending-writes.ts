/**
 * Decision updates waiting to be written: the events (parallel arrays, so recording a decision
 * allocates no wrapper object) and the sessions whose record changed. Taken in bounded batches;
 * a failed batch is put back in front, in order.
 */
import type { HistoryEvent, SessionState } from "./entry.ts";

/** One batch taken for writing. */
export interface PendingBatch {
  states: SessionState[];
  events: HistoryEvent[];
  dirty: SessionState[];
}

export class PendingWrites {
  #states: SessionState[] = [];
  #events: HistoryEvent[] = [];
  readonly #dirty = new Set<SessionState>();

  /** Events waiting. */
  get events(): number {
    return this.#events.length;
  }

  /** Anything to write? */
  get empty(): boolean {
    return this.#events.length === 0 && this.#dirty.size === 0;
  }

  push(state: SessionState, event: HistoryEvent): void {
    this.#states.push(state);
    this.#events.push(event);
    this.#dirty.add(state);
  }

  /** Stop writing a session (deleted). */
  forget(state: SessionState): void {
    this.#dirty.delete(state);
  }

  /** Up to `max` events and up to `max` changed sessions, oldest first. */
  take(max: number): PendingBatch {
    const count = Math.min(this.#events.length, max);
    const states = this.#states.splice(0, count);
    const events = this.#events.splice(0, count);
    const dirty: SessionState[] = [];
    for (const state of this.#dirty) {
      if (dirty.length >= max) break;
      dirty.push(state);
    }
    for (const state of dirty) this.#dirty.delete(state);
    return { states, events, dirty };
  }

  /** Put a batch that failed back in front of what arrived meanwhile. */
  putBack(batch: PendingBatch): void {
    this.#states = batch.states.concat(this.#states);
    this.#events = batch.events.concat(this.#events);
    for (const state of batch.dirty) this.#dirty.add(state);
  }

  /** Events of `state` not written yet, in order. */
  eventsOf(state: SessionState): HistoryEvent[] {
    const out: HistoryEvent[] = [];
    for (let i = 0; i < this.#states.length; i++) if (this.#states[i] === state) out.push(this.#events[i]!);
    return out;
  }

  /** Forget the unwritten events of a session whose transcript was replaced (reset). */
  purge(state: SessionState): void {
    if (!this.#states.includes(state)) return;
    const states: SessionState[] = [];
    const events: HistoryEvent[] = [];
    for (let i = 0; i < this.#states.length; i++) {
      if (this.#states[i] === state) continue;
      states.push(this.#states[i]!);
      events.push(this.#events[i]!);
    }
    this.#states = states;
    this.#events = events;
  }

  /** Drop the oldest tenth of the events (the store is not keeping up); returns how many. */
  dropOldest(): number {
    const drop = Math.max(1, Math.floor(this.#events.length / 10));
    this.#events.splice(0, drop);
    this.#states.splice(0, drop);
    return drop;
  }
}
