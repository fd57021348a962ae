import assert from "node:assert/strict";
import { test } from "node:test";
import { GuardState } from "./state.ts";

const codes = (state: GuardState, now: number, timeout = 1000, bridge = true) => state.verdict(now, timeout, bridge);

test("upstream health decides presence: loaded, not loaded, registration failed, unreachable", () => {
  const state = new GuardState("talon-guard", 8, 0);
  assert.equal(codes(state, 0).status, "unknown");
  state.recordHealth({ plugins: { loaded: ["browser", "talon-guard"], errors: [] } }, 10);
  assert.deepEqual(codes(state, 10, 0), { status: "present", reasons: [] });
  state.recordHealth({ plugins: { loaded: ["browser"], errors: [] } }, 20);
  assert.deepEqual(
    codes(state, 20, 0).reasons.map((r) => r.code),
    ["not_loaded"],
  );
  state.recordHealth(
    { plugins: { loaded: ["browser"], errors: [{ id: "talon-guard", error: "talon-guard config: cannot read tokenFile" }] } },
    30,
  );
  const failed = codes(state, 30, 0);
  assert.equal(failed.status, "missing");
  assert.match(failed.reasons[0]!.detail, /cannot read tokenFile/);
  state.recordHealth(undefined, 40, "not connected");
  assert.equal(codes(state, 40, 0).status, "unknown");
});

test("heartbeats: present while fresh, missing once they stop, missing if upstream lists a guard that never reports", () => {
  const state = new GuardState("talon-guard", 2, 0);
  state.recordHealth({ plugins: { loaded: ["talon-guard"], errors: [] } }, 100);
  assert.equal(codes(state, 500).status, "present", "within the grace period");
  assert.deepEqual(
    codes(state, 1500).reasons.map((r) => r.code),
    ["no_heartbeat"],
  );
  state.recordHeartbeat({ instanceId: "a", guardId: "talon-guard", version: "0.1.0" }, 1600);
  assert.equal(codes(state, 2000).status, "present");
  assert.deepEqual(
    codes(state, 2700).reasons.map((r) => r.code),
    ["heartbeat_lost"],
  );
  for (const id of ["b", "c", "d"]) state.recordHeartbeat({ instanceId: id, guardId: "talon-guard", version: "0.1.0" }, 2800);
  assert.equal((state.snapshot(2800).instances as unknown[]).length, 2, "instances are bounded");
  const standalone = new GuardState("talon-guard", 2, 0);
  assert.deepEqual(
    codes(standalone, 10, 1000, false).reasons.map((r) => r.code),
    ["no_bridge"],
  );
});
