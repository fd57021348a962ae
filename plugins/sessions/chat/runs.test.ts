import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatRuns, type ChatRun } from "./runs.ts";

test("runs settle once, abort by session is case-insensitive, the table is bounded", async () => {
  const settled: ChatRun[] = [];
  const runs = new ChatRuns(
    () => 3,
    (run) => settled.push(run),
  );
  const a = runs.start("a", "agent:main:Main", 60_000);
  runs.start("b", "agent:main:main", 60_000);
  assert.deepEqual(runs.activeRunIds("AGENT:MAIN:MAIN").sort(), ["a", "b"]);
  assert.deepEqual(runs.abortSession("agent:main:main"), ["a", "b"]);
  assert.equal(a.status, "aborted");
  assert.equal(runs.abort(a), false, "an aborted run is not aborted twice");
  assert.equal(settled.length, 2);
  runs.start("c", "x", 60_000);
  runs.start("d", "x", 60_000);
  runs.start("e", "x", 60_000);
  assert.equal(runs.get("a"), undefined, "settled runs are evicted first");
  assert.equal(runs.get("b"), undefined);
  runs.start("f", "x", 60_000);
  assert.equal(runs.get("c"), undefined, "then the oldest in flight");
  assert.deepEqual(runs.activeRunIds("x").sort(), ["d", "e", "f"]);
  const quick = runs.start("g", "y", 1);
  await new Promise<void>((resolve) => {
    const check = () => (quick.status === "completed" ? resolve() : setTimeout(check, 2));
    check();
  });
  assert.equal(settled.at(-1)?.runId, "g");
  runs.close();
});
