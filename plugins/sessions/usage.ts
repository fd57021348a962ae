/**
 * sessions.usage and sessions.usage.timeseries from the per-day counters each record keeps
 * (seed-gateway §2.2). Token and cost fields are placeholders: Talon runs no model. A session
 * counts when it had any event in the window, sends included (seed §8 item 12 dropped send-only
 * sessions).
 */
import type { DayUsage, SessionState } from "./entry.ts";
import { DAY_MS } from "./history.ts";

/** `YYYY-MM-DD` of a UTC day number. */
export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A UTC day number, only for an exact `YYYY-MM-DD` that is a real calendar date. */
export function parseDate(value: string | null | undefined): number | undefined {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || dateOf(ms / DAY_MS) !== value) return undefined;
  return ms / DAY_MS;
}

export interface DateWindow {
  startDay: number;
  endDay: number;
  startDate: string;
  endDate: string;
  days: number;
}

/** The seed's date window: invalid dates count as absent; default the `days` (30) ending today. */
export function dateWindow(
  start: string | null | undefined,
  end: string | null | undefined,
  days: number | null | undefined,
  now: number,
): DateWindow {
  const span = Math.max(1, days ?? 30);
  const today = Math.floor(now / DAY_MS);
  let startDay = parseDate(start);
  let endDay = parseDate(end);
  if (startDay !== undefined && endDay !== undefined) {
    if (startDay > endDay) [startDay, endDay] = [endDay, startDay];
  } else if (startDay !== undefined) {
    endDay = today;
  } else if (endDay !== undefined) {
    startDay = endDay - (span - 1);
  } else {
    endDay = today;
    startDay = today - (span - 1);
  }
  return {
    startDay: startDay!,
    endDay: endDay!,
    startDate: dateOf(startDay!),
    endDate: dateOf(endDay!),
    days: Math.max(1, endDay! - startDay! + 1),
  };
}

/** Zeroed token/cost totals (upstream's 11 keys). */
export function emptyTotals(totalTokens = 0) {
  return {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    totalTokens,
    totalCost: 0,
    inputCost: 0,
    outputCost: 0,
    cacheReadCost: 0,
    cacheWriteCost: 0,
    missingCostEntries: 0,
  };
}

export interface UsageRow {
  state: SessionState;
  allow: number;
  review: number;
  block: number;
  sends: number;
  last?: DayUsage;
}

/** Sum a session's days inside the window. */
export function usageInWindow(state: SessionState, window: DateWindow): UsageRow {
  const row: UsageRow = { state, allow: 0, review: 0, block: 0, sends: 0 };
  for (const day of state.rec.days) {
    if (day.day < window.startDay || day.day > window.endDay) continue;
    row.allow += day.allow;
    row.review += day.review;
    row.block += day.block;
    row.sends += day.sends;
    if (day.lastAtMs !== undefined && (row.last?.lastAtMs === undefined || day.lastAtMs >= row.last.lastAtMs)) row.last = day;
  }
  return row;
}

/** The usage row of the result (seed shape plus `sendCount`). */
export function toUsageRow(row: UsageRow, includeContextWeight: boolean): Record<string, unknown> {
  const { rec, parsed } = row.state;
  const out: Record<string, unknown> = { key: rec.key, kind: row.state.upstreamKind, sessionKind: parsed.kind };
  if (parsed.agentId !== undefined) out.agentId = parsed.agentId;
  out.channel = rec.channel;
  if (rec.label !== undefined) out.label = rec.label;
  if (rec.spawnedBy !== undefined) out.spawnedBy = rec.spawnedBy;
  out.totalRequests = row.allow + row.review + row.block;
  out.allowedCount = row.allow;
  out.reviewCount = row.review;
  out.blockedCount = row.block;
  out.sendCount = row.sends;
  if (row.last?.lastAction !== undefined) out.lastAction = row.last.lastAction;
  out.lastRiskScore = row.last?.lastRiskScore ?? 0;
  out.updatedAtMs = row.last?.lastAtMs ?? rec.updatedAtMs;
  if (includeContextWeight) out.contextWeight = null;
  return out;
}

/** Timeseries points: one per UTC date with events, oldest first, the last `maxPoints`. */
export function timeseries(state: SessionState, maxPoints: number) {
  const points = state.rec.days.map((day) => ({
    date: dateOf(day.day),
    totalEvents: day.allow + day.review + day.block + day.sends,
    decisionEvents: day.allow + day.review + day.block,
    sendEvents: day.sends,
    allowCount: day.allow,
    reviewCount: day.review,
    blockCount: day.block,
  }));
  return points.slice(Math.max(0, points.length - maxPoints));
}
