import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeConfig, type Action } from "@talon/sdk";
import { loadConfig } from "../../core/config/load.ts";
import { IdempotencyCache } from "../../core/defender/idempotency.ts";
import { MAX_OBSERVER_BACKLOG } from "../../core/defender/pipeline.ts";
import { OBSERVER_GATE, type ObserverGate } from "../fixtures/plugins/observer-gate/index.ts";
import { ACTION_MAX_FIELD_CHARS } from "@talon/sdk";
import { TestClient } from "../helpers/gateway-client.ts";
import { scoreGate, startDefenderHost, until } from "./harness.ts";

describe("idempotency (id plus content digest)", () => {
  test("a repeat is answered from the cache; a reused id with other content is evaluated afresh and tagged", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate", "keyword"] });
    const gate = scoreGate();
    gate.holding = false;
    const benign = { id: "req-7", sessionKey: "main", tool: "exec", command: "echo hello" };
    const first = host.defender.decisionOf(await host.defender.evaluate(benign))!;
    assert.equal(first.action, "allow");
    const repeat = await host.defender.evaluate(benign);
    assert.ok(repeat.status === "decided" && repeat.record.cached);
    assert.deepEqual(host.defender.decisionOf(repeat)!.tags, [...first.tags, "idempotency_hit"]);
    assert.equal(host.defender.decisionOf(repeat)!.reasons.at(-1), "decision reused from idempotency cache");
    assert.equal(gate.entered.length, 1, "no detector ran for the hit");

    // The seed returned the cached allow here (seed-defender §15 item 6).
    const malicious = { ...benign, command: "echo forbidden" };
    const fresh = host.defender.decisionOf(await host.defender.evaluate(malicious))!;
    assert.equal(fresh.action, "block");
    assert.ok(fresh.tags.includes("idempotency_id_reused"));
    assert.equal(gate.entered.length, 2);
    const again = host.defender.decisionOf(await host.defender.evaluate(malicious))!;
    assert.equal(again.action, "block");
    assert.deepEqual(
      again.tags.filter((tag) => tag.startsWith("idempotency")),
      ["idempotency_hit"],
    );

    // Without an id, the content digest is the key.
    await host.defender.evaluate({ sessionKey: "s2", prompt: "same" });
    const anonymous = await host.defender.evaluate({ sessionKey: "s2", prompt: "same" });
    assert.ok(anonymous.status === "decided" && anonymous.record.cached);
    const otherSession = await host.defender.evaluate({ sessionKey: "s3", prompt: "same" });
    assert.ok(otherSession.status === "decided" && !otherSession.record.cached, "the session is part of the content");
  });

  test("a config reload forgets cached decisions, also those of evaluations running across it", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate", "keyword"] });
    const gate = scoreGate();
    gate.holding = false;
    const request = { id: "req-reload", sessionKey: "main", tool: "exec", command: "echo hello" };
    assert.equal(host.defender.decisionOf(await host.defender.evaluate(request))!.action, "allow");
    const cached = await host.defender.evaluate(request);
    assert.ok(cached.status === "decided" && cached.record.cached);

    // A stricter policy: exec is blocked.
    const stricter = await loadConfig({
      inline: mergeConfig(host.config as never, { security: { tool_policies: { exec: "block" } } }),
      env: {},
    });
    await host.applyConfig(stricter);
    assert.equal(host.defender.stats().idempotencyEntries, 0);
    const resent = await host.defender.evaluate(request);
    assert.ok(resent.status === "decided" && !resent.record.cached, "the resent request is evaluated afresh");
    assert.equal(host.defender.decisionOf(resent)!.action, "block");

    // An evaluation under way while the config is reloaded is not cached.
    gate.holding = true;
    const other = { ...request, id: "req-inflight" };
    const pending = host.defender.evaluate(other);
    await until(() => gate.held.has("req-inflight"), "the evaluation to be held");
    await host.applyConfig(stricter);
    gate.release();
    await pending;
    gate.holding = false;
    const again = await host.defender.evaluate(other);
    assert.ok(again.status === "decided" && !again.record.cached, "a decision reached across a reload is not reused");
  });

  test("entries expire after the TTL and the oldest go first beyond the bound", () => {
    const cache = new IdempotencyCache();
    const action = (id: string, digest = "d") => ({ id, digest }) as Action;
    const decision = { action: "allow" as const, risk_score: 0, reasons: [], tags: [], source: "talon" };
    cache.store(action("a"), decision, 0, 300, 32);
    assert.equal(cache.lookup(action("a"), 299_999).kind, "hit");
    assert.equal(cache.lookup(action("a"), 300_000).kind, "miss");
    assert.equal(cache.size, 0, "expired entries are purged");
    for (let i = 0; i < 40; i++) cache.store(action(`k${i}`), decision, 1000, 300, 10);
    assert.equal(cache.size, 32, "the capacity floor is 32, as the seed's");
    assert.equal(cache.lookup(action("k0"), 1000).kind, "miss");
    assert.equal(cache.lookup(action("k39"), 1000).kind, "hit");
    assert.equal(cache.lookup(action("k39", "other"), 1000).kind, "conflict");
  });
});

describe("timeouts under the scheduler", () => {
  test("a timeout yields at least review, keeps a finished detector's block, and is not cached", async () => {
    const { host } = await startDefenderHost({
      fixtures: ["keyword", "delay"],
      config: { runtime: { eval_timeout_ms: 100 }, plugins: { entries: { "score-delay": { config: { delay_ms: 1500 } } } } },
    });
    const slow = host.defender.decisionOf(await host.defender.evaluate({ id: "t1", sessionKey: "main", prompt: "harmless" }))!;
    assert.equal(slow.action, "review");
    assert.ok(slow.tags.includes("timeout"));
    assert.ok(slow.reasons.includes("defender timeout"));
    const blocked = await host.defender.evaluate({ id: "t2", sessionKey: "main", prompt: "forbidden words" });
    assert.equal(host.defender.decisionOf(blocked)!.action, "block", "the keyword detector finished before the timeout");
    assert.ok(blocked.status === "decided" && blocked.record.timedOut);
    const retry = await host.defender.evaluate({ id: "t1", sessionKey: "main", prompt: "harmless" });
    assert.ok(retry.status === "decided" && !retry.record.cached, "timeouts are not cached");
  });
});

describe("bad input", () => {
  test("thousands of sessions at once: a decision for every action, then every lane is gone", async () => {
    const { host } = await startDefenderHost({ config: { runtime: { max_queue: 5000, worker_concurrency: 8 } } });
    const all = Array.from({ length: 3000 }, (_, i) =>
      host.defender.evaluate({ id: `s-${i}`, sessionKey: `agent:main:webchat:dm:user-${i}`, prompt: `hello ${i}` }),
    );
    const results = await Promise.all(all);
    assert.equal(results.filter((evaluation) => evaluation.status === "decided" && !evaluation.record.refused).length, 3000);
    await until(() => host.defender.stats().lanes === 0, "every lane evicted");
  });

  test("a flood beyond capacity is refused with decisions, never dropped", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { max_queue: 100 } } });
    const all = Array.from({ length: 1000 }, (_, i) => host.defender.evaluate({ id: `f-${i}`, sessionKey: `s-${i % 300}`, prompt: "x" }));
    scoreGate().holding = false;
    scoreGate().release();
    const results = await Promise.all(all);
    assert.equal(results.length, 1000);
    assert.ok(results.every((evaluation) => evaluation.status === "decided"));
    const refused = results.filter((evaluation) => evaluation.status === "decided" && evaluation.record.refused).length;
    assert.ok(refused > 0 && refused < 1000);
  });

  test("observers slower than evaluation slow it down instead of piling up", async () => {
    const { host } = await startDefenderHost({
      fixtures: ["observers"],
      config: { runtime: { max_queue: 20_000, worker_concurrency: 64 } },
    });
    const gate = (globalThis as Record<symbol, unknown>)[OBSERVER_GATE] as ObserverGate;
    let settled = 0;
    const total = MAX_OBSERVER_BACKLOG + 500;
    const all = Array.from({ length: total }, (_, i) =>
      host.defender.evaluate({ id: `o-${i}`, sessionKey: `s-${i}`, prompt: "x" }).then((evaluation) => (settled++, evaluation)),
    );
    await until(() => gate.seen > MAX_OBSERVER_BACKLOG, "the observer backlog to fill");
    // Give the pipeline every chance to run ahead; it must be held at the bound.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      host.defender.stats().observersRunning <= MAX_OBSERVER_BACKLOG + 64,
      `${host.defender.stats().observersRunning} observers running`,
    );
    assert.ok(settled < total, "evaluations wait for the observers");
    gate.open();
    const results = await Promise.all(all);
    assert.ok(results.every((evaluation) => evaluation.status === "decided"));
    await host.defender.drain(5000);
    assert.equal(host.defender.stats().observersRunning, 0);
  });

  test("huge fields, deep nesting, null bytes and lone surrogates over the wire: no crash, a decision each", async () => {
    const { url, token, host } = await startDefenderHost({ builtin: ["decision-events"], gateway: true });
    const client = await TestClient.connect(url, { token, scopes: ["operator.admin"] });
    client.send({ type: "event", event: "agent", payload: { id: "huge", prompt: "a".repeat(ACTION_MAX_FIELD_CHARS * 2) } });
    let deep = '{"prompt":"bottom"}';
    for (let i = 0; i < 3000; i++) deep = `{"n":${deep}}`;
    client.send(`{"type":"event","event":"agent","payload":{"id":"deep","prompt":"top","d":${deep}}}`);
    client.send('{"type":"event","event":"agent","payload":{"id":"odd","command":"rm\\u0000 -rf \\ud800 /"}}');
    const huge = await client.waitForEvent("security.decision", (frame) => frame.payload.requestId === "huge");
    assert.equal(huge.payload.decision.action, "review", "what was cut was not scanned: never a silent allow");
    assert.ok(huge.payload.decision.tags.includes("extraction_limit"));
    const nested = await client.waitForEvent("security.decision", (frame) => frame.payload.requestId === "deep");
    assert.ok(nested.payload.decision.tags.includes("extraction_limit"));
    await client.waitForEvent("security.decision", (frame) => frame.payload.requestId === "odd");
    const health = await client.call("health", {});
    assert.equal(health.ok, true, "the host still answers");
    await host.defender.drain(1000);
    await client.close();
  });
});
