// Host RPCs: result shapes are a superset of upstream's (read from the captured real payloads)
// and of the seed's (seed-gateway §2.3, §2.17); usage counts real verdicts and filters by range.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

const captureFile = fileURLToPath(new URL("../../parity/captures/upstream-cli-session.jsonl", import.meta.url));

/** Payload of the first captured upstream response to `method`. */
function upstreamPayload(method: string): Record<string, unknown> {
  const ids = new Map<string, string>();
  for (const line of readFileSync(captureFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const frame = JSON.parse(line).frame;
    if (frame?.type === "req") ids.set(frame.id, frame.method);
    if (frame?.type === "res" && ids.get(frame.id) === method && frame.ok) return frame.payload;
  }
  throw new Error(`no captured ${method} response`);
}

function assertSuperset(actual: Record<string, unknown>, keys: string[], what: string): void {
  const missing = keys.filter((key) => !(key in actual));
  assert.deepEqual(missing, [], `${what} lacks keys: ${missing.join(", ")}`);
}

describe("host methods", async () => {
  const { host, url, token } = await startTestHost();
  const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });

  test("health: upstream's keys plus the seed's, and an ok that reflects checks", async () => {
    const health = await client.call("health", {});
    assertSuperset(health, Object.keys(upstreamPayload("health")), "health vs upstream");
    assertSuperset(health, ["ok", "service", "version", "ts", "uptimeMs", "sessions"], "health vs seed");
    assert.equal(health.ok, true);
    assert.deepEqual(health.checks, { plugins: true, upstream: true });
    assert.equal(health.mode, "standalone");
    assert.deepEqual(health.plugins, { loaded: [], errors: [], unavailable: [] });
  });

  test("status: upstream's keys plus the seed's runtime, sessions and rpc; Talon's mode, gateway, plugins, memory", async () => {
    const status = await client.call("status", {});
    assertSuperset(status, Object.keys(upstreamPayload("status")), "status vs upstream");
    assertSuperset(status, ["runtime", "sessions", "rpc"], "status vs seed");
    assertSuperset(status.runtime, ["name", "version", "startedAtMs", "uptimeMs"], "status.runtime vs seed");
    assertSuperset(
      status.processMemory,
      ["rssBytes", "heapUsedBytes", "heapTotalBytes", "externalBytes", "arrayBuffersBytes"],
      "processMemory",
    );
    assert.equal(status.mode, "standalone");
    assert.equal(status.gateway.server.connections, 1);
    assert.ok(status.memory.rssKib > 1000);
    assert.ok(status.rpc.supportedMethods.includes("usage.cost"));
    assert.equal(status.rpc.count, status.rpc.supportedMethods.length);
  });

  test("usage.status: upstream's providers plus the seed's totals, counting real verdicts", async () => {
    const before = await client.call("usage.status", {});
    assertSuperset(before, Object.keys(upstreamPayload("usage.status")), "usage.status vs upstream");
    assertSuperset(before, ["enabled", "source", "updatedAtMs", "totals"], "usage.status vs seed");
    assertSuperset(
      before.totals,
      ["sessions", "totalRequests", "allowedCount", "reviewCount", "blockedCount"],
      "usage.status.totals vs seed",
    );
    const evaluation = await host.defender.evaluate({ id: "u1", tool: "exec", command: "echo hi" });
    const verdict = host.defender.decisionOf(evaluation)!.action;
    const after = await client.call("usage.status", {});
    assert.equal(after.totals.totalRequests, before.totals.totalRequests + 1);
    const field = { allow: "allowedCount", review: "reviewCount", block: "blockedCount" }[verdict];
    assert.equal(after.totals[field], before.totals[field] + 1);
  });

  test("usage.cost: the seed's and upstream's keys; the range really filters; bad ranges are refused", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const cost = await client.call("usage.cost", {});
    assertSuperset(cost, ["updatedAt", "days", "daily", "totals"], "usage.cost vs upstream");
    assertSuperset(cost, ["updatedAtMs", "range", "summary", "tokens", "actions"], "usage.cost vs seed");
    assert.equal(cost.days, 30);
    assert.equal(cost.range.endDate, today);
    const counted = cost.actions.allow + cost.actions.review + cost.actions.block;
    assert.ok(counted >= 1, "the verdict of the previous test is counted");
    assert.equal(cost.daily.at(-1).date, today);
    const past = await client.call("usage.cost", { startDate: "2020-01-01", endDate: "2020-01-31" });
    assert.deepEqual(past.actions, { allow: 0, review: 0, block: 0 });
    assert.equal(past.days, 31);
    assert.deepEqual(past.daily, []);
    const week = await client.call("usage.cost", { days: 7 });
    assert.deepEqual(week.range, {
      startDate: new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10),
      endDate: today,
      days: 7,
    });
    for (const [params, message] of [
      [{ startDate: "2024-02-31" }, "invalid usage.cost params: startDate and endDate must be real dates (YYYY-MM-DD)"],
      [{ startDate: "2024-03-02", endDate: "2024-03-01" }, "invalid usage.cost params: startDate 2024-03-02 is after endDate 2024-03-01"],
      [{ endDate: "yesterday" }, `invalid usage.cost params: at /endDate: must match pattern "^\\d{4}-\\d{2}-\\d{2}$"`],
      [{ days: 0 }, "invalid usage.cost params: at /days: must be >= 1"],
    ] as const) {
      const error = (await client.request("usage.cost", params)).error;
      assert.equal(error?.code, "INVALID_REQUEST");
      assert.equal(error?.message, message);
    }
  });

  test("a status section from a plugin replaces the default key in health and status", async () => {
    host.statusSections.set("sessions", { plugin: "test", provider: async () => ({ count: 7, recent: [] }) });
    try {
      assert.equal((await client.call("health", {})).sessions.count, 7);
      assert.equal((await client.call("status", {})).sessions.count, 7);
      assert.equal((await client.call("usage.status", {})).totals.sessions, 7);
    } finally {
      host.statusSections.delete("sessions");
    }
    await client.close();
  });
});
