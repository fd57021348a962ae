/**
 * Pure record bookkeeping when an event joins a transcript: the bounded window, the list hints
 * (derived title, last message) and the per-day usage counters. Used by the decision recorder on
 * the live record and by RPC writes on a copy.
 */
import type { Verdict } from "@talon/sdk";
import { chatMessageId, type DayUsage, type HistoryEvent, type SessionRecord } from "./entry.ts";
import { truncate } from "./text.ts";

export const DAY_MS = 86_400_000;

/** Limits that bound what a record keeps. */
export interface HistoryLimits {
  /** Events kept per transcript. */
  maxHistoryEvents: number;
  /** Days of usage counters kept. */
  usageDays: number;
}

function dayOf(rec: SessionRecord, day: number, limits: HistoryLimits): DayUsage {
  const days = rec.days;
  const last = days[days.length - 1];
  if (last?.day === day) return last;
  for (let i = days.length - 2; i >= 0; i--) if (days[i]!.day === day) return days[i]!;
  const fresh: DayUsage = { day, allow: 0, review: 0, block: 0, sends: 0 };
  days.push(fresh);
  if (last !== undefined && last.day > day) days.sort((a, b) => a.day - b.day);
  const oldest = days[days.length - 1]!.day - limits.usageDays + 1;
  while (days.length > 0 && days[0]!.day < oldest) days.shift();
  return fresh;
}

/**
 * Account for `event` (whose `seq` was taken from `rec.nextSeq`) in `rec`: advance the window,
 * keep the list hints, count it in its day. Mutates `rec`.
 */
export function noteEvent(rec: SessionRecord, event: HistoryEvent, limits: HistoryLimits): void {
  rec.nextSeq = event.seq + 1;
  if (rec.nextSeq - rec.firstSeq > limits.maxHistoryEvents) rec.firstSeq = rec.nextSeq - limits.maxHistoryEvents;
  const text = event.text ?? event.command;
  if (text !== undefined) {
    // The derived title stays once found: it does not change as old events roll out of the window.
    if (event.kind === "send" && rec.titleSend === undefined) rec.titleSend = truncate(text.trim(), 120);
    if (rec.titleAny === undefined) rec.titleAny = truncate(text.trim(), 120);
    rec.lastText = truncate(text, 160);
    if (event.kind === "send") rec.lastMessageId = chatMessageId(event);
  }
  const day = dayOf(rec, Math.floor(event.atMs / DAY_MS), limits);
  if (event.kind === "send") {
    day.sends++;
    return;
  }
  const action = event.action as Verdict;
  day[action]++;
  if (day.lastAtMs === undefined || event.atMs >= day.lastAtMs) {
    day.lastAtMs = event.atMs;
    day.lastAction = action;
    day.lastRiskScore = event.riskScore ?? 0;
  }
}

/** The events of `list` (sorted by seq) still inside the window that starts at `firstSeq`. */
export function inWindow(list: readonly HistoryEvent[], firstSeq: number): HistoryEvent[] {
  let start = 0;
  while (start < list.length && list[start]!.seq < firstSeq) start++;
  return list.slice(start);
}

/** Row key of a transcript event: fixed-width seq so a range scan returns events in order. */
export function rowKey(sessionId: string, seq: number): string {
  return `t:${sessionId}:${String(seq).padStart(12, "0")}`;
}
