import assert from "node:assert/strict";
import { test } from "node:test";
import { LoopGuard, type LoopSettings } from "./guard.ts";

const settings = (overrides: Partial<LoopSettings> = {}): LoopSettings => ({
  historySize: 30,
  warningThreshold: 2,
  criticalThreshold: 3,
  maxSessions: 100,
  idleMs: 60_000,
  ...overrides,
});

test("the seed's example: warning 2, critical 3; a different call resets the streak", () => {
  const guard = new LoopGuard(settings());
  assert.equal(guard.observe("s", "a", 0), undefined);
  assert.deepEqual(guard.observe("s", "a", 1), { level: "warning", kind: "repeat", count: 2 });
  assert.deepEqual(guard.observe("s", "a", 2), { level: "critical", kind: "repeat", count: 3 });
  assert.equal(guard.observe("s", "b", 3), undefined);
});

test("sessions are separate", () => {
  const guard = new LoopGuard(settings());
  guard.observe("s1", "a", 0);
  assert.equal(guard.observe("s2", "a", 1), undefined);
});

test("ping-pong and no-progress loops are seen with upstream's defaults", () => {
  const guard = new LoopGuard(settings({ warningThreshold: 10, criticalThreshold: 20 }));
  let verdict;
  for (let i = 0; i < 10; i++) verdict = guard.observe("s", i % 2 ? "b" : "a", i);
  assert.deepEqual(verdict, { level: "warning", kind: "ping-pong", count: 10 });
  for (let i = 10; i < 20; i++) verdict = guard.observe("s", i % 2 ? "b" : "a", i);
  assert.equal(verdict?.level, "critical");
  const other = new LoopGuard(settings({ warningThreshold: 10, criticalThreshold: 20, historySize: 30 }));
  for (let i = 0; i < 40; i++) verdict = other.observe("s", i % 3 === 2 ? `x${i}` : "a", i);
  assert.deepEqual(verdict && { level: verdict.level, kind: verdict.kind }, { level: "critical", kind: "no-progress" });
});

test("history and sessions are bounded; idle sessions are pruned", () => {
  const guard = new LoopGuard(settings({ maxSessions: 3, historySize: 2, warningThreshold: 5, criticalThreshold: 6 }));
  for (let i = 0; i < 10; i++) guard.observe(`s${i}`, "a", i);
  assert.equal(guard.sessions, 3);
  for (let i = 0; i < 20; i++) assert.equal(guard.observe("s9", "a", 10 + i), undefined, "a history of 2 can never reach a streak of 5");
  const idle = new LoopGuard(settings({ idleMs: 1000 }));
  for (let i = 0; i < 100; i++) idle.observe(`old${i}`, "a", 0);
  for (let i = 0; i < 300; i++) idle.observe("fresh", `c${i}`, 10_000);
  assert.equal(idle.sessions, 1);
});

test("reconfiguring keeps histories and trims them", () => {
  const guard = new LoopGuard(settings({ warningThreshold: 5, criticalThreshold: 6 }));
  for (let i = 0; i < 4; i++) guard.observe("s", "a", i);
  guard.configure(settings({ warningThreshold: 2, criticalThreshold: 3, historySize: 2 }));
  assert.deepEqual(guard.observe("s", "a", 5), { level: "warning", kind: "repeat", count: 2 }, "trimmed to 2 entries, then the third");
});
