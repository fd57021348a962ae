import assert from "node:assert/strict";
import { test } from "node:test";
import { createRecord, stateOf, type HistoryEvent } from "./entry.ts";
import { DAY_MS, inWindow, noteEvent } from "./history.ts";
import { dateWindow, parseDate, timeseries, toUsageRow, usageInWindow } from "./usage.ts";

const NOW = Date.parse("2026-03-15T12:00:00Z");
const limits = { maxHistoryEvents: 5, usageDays: 90 };

test("dates: only exact, real YYYY-MM-DD count", () => {
  assert.equal(parseDate("2026-03-15"), Date.parse("2026-03-15T00:00:00Z") / DAY_MS);
  assert.equal(parseDate("2026-02-30"), undefined);
  assert.equal(parseDate("2026-3-15"), undefined);
  assert.equal(parseDate("2026-03-15T00:00:00Z"), undefined);
});

test("the seed's date window rules", () => {
  assert.deepEqual((({ startDate, endDate, days }) => ({ startDate, endDate, days }))(dateWindow(undefined, undefined, undefined, NOW)), {
    startDate: "2026-02-14",
    endDate: "2026-03-15",
    days: 30,
  });
  const swapped = dateWindow("2026-03-10", "2026-03-01", undefined, NOW);
  assert.equal(swapped.startDate, "2026-03-01");
  assert.equal(swapped.endDate, "2026-03-10");
  assert.equal(swapped.days, 10);
  assert.equal(dateWindow("2026-03-01", undefined, undefined, NOW).endDate, "2026-03-15");
  assert.equal(dateWindow(undefined, "2026-03-10", 7, NOW).startDate, "2026-03-04");
  assert.equal(dateWindow("nonsense", undefined, 3, NOW).startDate, "2026-03-13", "an invalid date counts as absent");
});

function event(seq: number, atMs: number, fields: Partial<HistoryEvent>): HistoryEvent {
  return { seq, atMs, kind: "decision", ...fields };
}

test("noteEvent keeps a bounded window, stable title hints and per-day counters", () => {
  const rec = createRecord("agent:main:main", "sess-1", NOW);
  noteEvent(rec, event(0, NOW - 2 * DAY_MS, { action: "allow", command: "git status" }), limits);
  noteEvent(rec, event(1, NOW - DAY_MS, { kind: "send", text: "  first message  " }), limits);
  for (let seq = 2; seq < 8; seq++)
    noteEvent(rec, event(seq, NOW, { action: seq % 2 ? "block" : "review", riskScore: seq * 10, text: `t${seq}` }), limits);
  assert.equal(rec.nextSeq, 8);
  assert.equal(rec.firstSeq, 3, "only the newest 5 events stay in the window");
  assert.equal(rec.titleAny, "git status");
  assert.equal(rec.titleSend, "first message", "the title is the first send, trimmed, and stays as events roll out");
  assert.equal(rec.lastText, "t7");
  assert.equal(rec.lastMessageId, "msg-" + (NOW - DAY_MS) + "-1");
  assert.equal(rec.days.length, 3);
  const today = rec.days[2]!;
  assert.deepEqual([today.allow, today.review, today.block, today.sends], [0, 3, 3, 0]);
  assert.equal(today.lastAction, "block");
  assert.equal(today.lastRiskScore, 70);
  const events = [0, 1, 2, 3, 4].map((seq) => event(seq, NOW, {}));
  assert.deepEqual(
    inWindow(events, 3).map((e) => e.seq),
    [3, 4],
  );
});

test("usage rows count decisions and sends inside the window only", () => {
  const rec = createRecord("agent:ops:slack:group:g1", "sess-2", NOW);
  noteEvent(rec, event(0, NOW - 40 * DAY_MS, { action: "block" }), limits);
  noteEvent(rec, event(1, NOW - DAY_MS, { kind: "send", text: "hi" }), limits);
  noteEvent(rec, event(2, NOW, { action: "allow", riskScore: 3 }), limits);
  const state = stateOf(rec);
  const row = toUsageRow(usageInWindow(state, dateWindow(undefined, undefined, undefined, NOW)), true);
  assert.equal(row.totalRequests, 1, "the 40-day-old block is outside the default 30-day window");
  assert.equal(row.sendCount, 1);
  assert.equal(row.lastAction, "allow");
  assert.equal(row.agentId, "ops");
  assert.equal(row.contextWeight, null);
  const points = timeseries(state, 2);
  assert.deepEqual(
    points.map((point) => point.date),
    ["2026-03-14", "2026-03-15"],
  );
  assert.equal(points[0]!.sendEvents, 1);
});

test("usage days older than the retention are dropped", () => {
  const rec = createRecord("agent:main:main", "sess-3", NOW);
  noteEvent(rec, event(0, NOW - 10 * DAY_MS, { action: "allow" }), { maxHistoryEvents: 10, usageDays: 3 });
  noteEvent(rec, event(1, NOW, { action: "allow" }), { maxHistoryEvents: 10, usageDays: 3 });
  assert.equal(rec.days.length, 1);
});
