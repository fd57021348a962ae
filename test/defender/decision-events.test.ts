import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeConfig } from "@talon/sdk";
import { loadConfig } from "../../core/config/load.ts";
import { GatewayError, TestClient } from "../helpers/gateway-client.ts";
import { startDefenderHost } from "./harness.ts";

const BUILTIN = ["decision-events"];

describe("security.decision events", () => {
  test("carry every field of the seed's payload to clients with operator.read, and no one else", async () => {
    const { url, token, host } = await startDefenderHost({
      builtin: BUILTIN,
      gateway: true,
      config: { security: { tool_policies: { browser: "review" } } },
    });
    const reader = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const pairing = await TestClient.connect(url, { token, scopes: ["operator.pairing"] });
    const producer = await TestClient.connect(url, { token, scopes: ["operator.write"] });
    assert.ok(reader.hello.features.events.includes("security.decision"));
    producer.send({
      type: "event",
      event: "agent",
      payload: {
        id: "evt-1",
        sessionKey: "agent:main:telegram:group:chat-42",
        tool: "browser",
        channel: "tg",
        message: "open docs home page",
        chatType: "group",
        wasMentioned: true,
        replyBack: "yes",
        to: "chat-42",
        accountId: "acct-main",
        threadId: "7",
      },
    });
    const event = await reader.waitForEvent("security.decision", (frame) => frame.payload.requestId === "evt-1");
    assert.deepEqual(event.payload, {
      requestId: "evt-1",
      sessionId: "agent:main:telegram:group:chat-42",
      sessionKey: "agent:main:telegram:group:chat-42",
      source: "agent",
      channel: "telegram",
      sessionKind: "group",
      chatType: "group",
      wasMentioned: true,
      replyBack: true,
      deliveryContext: { channel: "telegram", to: "chat-42", accountId: "acct-main", threadId: "7" },
      decision: {
        action: "review",
        risk_score: 14,
        reasons: ["tool `browser` risk bonus +8", "tool `browser` policy is Review", "channel `telegram` risk bonus +6"],
        tags: ["tool_risk_bonus", "tool_policy", "channel_risk_bonus"],
        source: "talon",
      },
    });
    assert.equal(typeof event.seq, "number");
    // A second decision proves the pairing-only client had time to receive the first and did not.
    producer.send({ type: "event", event: "agent", payload: { id: "evt-2", prompt: "hello" } });
    const second = await reader.waitForEvent("security.decision", (frame) => frame.payload.requestId === "evt-2");
    assert.equal(second.payload.sessionKey, "global");
    assert.equal(second.payload.sessionId, undefined, "no session: sessionId and sessionKind are omitted");
    assert.equal(second.payload.sessionKind, undefined);
    assert.equal(second.payload.deliveryContext, undefined);
    await host.defender.drain(1000);
    assert.equal(pairing.events.filter((frame) => frame.event === "security.decision").length, 0);
    await Promise.all([reader.close(), pairing.close(), producer.close()]);
  });

  test("the event name follows runtime.decision_event", async () => {
    const { url, token, host } = await startDefenderHost({
      builtin: BUILTIN,
      gateway: true,
      config: { runtime: { decision_event: "talon.verdict" } },
    });
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    await host.defender.evaluate({ id: "n1", prompt: "hi" });
    const event = await client.waitForEvent("talon.verdict");
    assert.equal(event.payload.requestId, "n1");
    await client.close();
  });

  test("a reload re-declares the event when its name, scope or droppability change; a refused name keeps the old one", async () => {
    const { host } = await startDefenderHost({ builtin: BUILTIN });
    const emitted: string[] = [];
    host.events.subscribe((name) => void emitted.push(name));
    const reload = async (patch: Record<string, unknown>) =>
      host.applyConfig(await loadConfig({ inline: mergeConfig(host.config as never, patch), env: {} }));
    await reload({ plugins: { entries: { "decision-events": { config: { scope: "operator.admin", droppable: false } } } } });
    const { scope, droppable } = host.events.definition("security.decision");
    assert.deepEqual({ scope, droppable }, { scope: "operator.admin", droppable: false });
    // Another declarer owns `taken` with another scope: the rename is refused and events keep their old name.
    host.events.declare({ name: "taken", scope: "operator.read", droppable: true }, "someone-else");
    await reload({ runtime: { decision_event: "taken" } });
    await host.defender.evaluate({ id: "r1", prompt: "hi" });
    await host.defender.drain(1000);
    assert.deepEqual(emitted, ["security.decision"]);
    assert.equal(host.events.definition("taken").scope, "operator.read");
  });
});

describe("security.evaluate", () => {
  test("returns the decision object and takes the same path as every action (event, idempotency)", async () => {
    const { url, token } = await startDefenderHost({ builtin: BUILTIN, gateway: true, fixtures: ["keyword"] });
    const client = await TestClient.connect(url, { token, scopes: ["operator.write"] });
    const result = await client.call("security.evaluate", {
      id: "rpc-1",
      sessionKey: "discord:group:g1",
      tool: "bash",
      channel: "discord",
      command: "echo forbidden",
    });
    assert.equal(result.action, "block");
    assert.equal(result.risk_score, 100);
    assert.ok(result.tags.includes("keyword"));
    assert.ok(result.tags.includes("tool_risk_bonus"));
    assert.equal(result.source, "talon");
    assert.equal(result.requestId, "rpc-1");
    assert.equal(result.sessionKey, "agent:main:discord:group:g1");
    assert.equal(result.status, "decided");
    const event = await client.waitForEvent("security.decision", (frame) => frame.payload.requestId === "rpc-1");
    assert.deepEqual(event.payload.decision, {
      action: result.action,
      risk_score: result.risk_score,
      reasons: result.reasons,
      tags: result.tags,
      source: result.source,
    });
    assert.equal(event.payload.source, "security.evaluate");
    const again = await client.call("security.evaluate", {
      id: "rpc-1",
      sessionKey: "discord:group:g1",
      tool: "bash",
      channel: "discord",
      command: "echo forbidden",
    });
    assert.equal(again.cached, true);
    assert.ok(again.tags.includes("idempotency_hit"));
    const ignored = await client.call("security.evaluate", {
      id: "rpc-2",
      sessionKey: "discord:group:g1",
      prompt: "hi",
      wasMentioned: false,
    });
    assert.deepEqual({ status: ignored.status, action: ignored.action }, { status: "ignored", action: undefined });
    await client.close();
  });

  test("needs operator.write and valid params", async () => {
    const { url, token } = await startDefenderHost({ builtin: BUILTIN, gateway: true });
    const reader = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const denied = await reader.request("security.evaluate", { prompt: "hi" });
    assert.equal(denied.ok, false);
    assert.notEqual(denied.error!.code, "UNAVAILABLE", "a scope refusal, not a failure");
    assert.match(denied.error!.message, /operator\.write/);
    const writer = await TestClient.connect(url, { token, scopes: ["operator.write"] });
    const empty = await writer.request("security.evaluate", { tool: "exec" });
    assert.equal(empty.ok, false);
    assert.match(empty.error!.message, /at least one of prompt, command, url, filePath/);
    const unknown = await writer.request("security.evaluate", { prompt: "x", promt: "typo" });
    assert.equal(unknown.ok, false);
    assert.match(unknown.error!.message, /promt/);
    await assert.rejects(
      writer.call("security.evaluate", { prompt: "x", chatType: "sideways" }),
      (error: unknown) => error instanceof GatewayError && /chatType/.test(error.message),
    );
    await Promise.all([reader.close(), writer.close()]);
  });
});
