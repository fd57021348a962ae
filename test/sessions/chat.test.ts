/**
 * chat.* over a real WebSocket: a chat client sends, sees its run settle as upstream's `chat`
 * event, reads its transcript; abort, inject, strict params and scopes (seed §2.7, §8 items 16-17).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError, TestClient } from "../helpers/gateway-client.ts";
import { call, eventually, sessionsHost } from "./helpers.ts";

async function connect(url: string, token: string, scopes: string[]): Promise<TestClient> {
  return TestClient.connect(url, { token, scopes, clientId: "cli", mode: "cli" });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error.frame.error!;
    throw error;
  }
  throw new Error("the call succeeded");
}

test("a chat client sends, sees its run settle and reads its history", async () => {
  const { url, token, host } = await sessionsHost({ gateway: true });
  const client = await connect(url, token, ["operator.write"]);
  assert.ok(client.hello.features.events.includes("chat"), "the chat event is declared");
  const sent = await client.call("chat.send", {
    sessionKey: "main",
    message: "hello there",
    idempotencyKey: "run-1",
    deliver: false,
    originatingChannel: "webchat",
  });
  assert.deepEqual(sent, { runId: "run-1", status: "started" });
  const settled = await client.waitForEvent("chat", (frame) => frame.payload.runId === "run-1");
  assert.deepEqual(settled.payload, { runId: "run-1", sessionKey: "agent:main:main", seq: 0, state: "final" });
  assert.deepEqual(
    await client.call("chat.send", { sessionKey: "main", message: "hello there", idempotencyKey: "run-1" }),
    { runId: "run-1", status: "ok" },
    "idempotent by key",
  );
  const history = await client.call("chat.history", { sessionKey: "main" });
  assert.equal(history.sessionKey, "agent:main:main");
  assert.equal(typeof history.sessionId, "string");
  assert.deepEqual(
    history.messages.map((m: any) => [m.id, m.parentId, m.role, m.content]),
    [["run-1", null, "user", "hello there"]],
  );
  assert.equal(
    (await call(host, "session.status", { sessionKey: "main" })).session.channel,
    "webchat",
    "a chat-only session gets the webchat channel",
  );
  const attachment = await client.call("chat.send", {
    sessionKey: "main",
    message: "",
    attachments: [{ type: "image" }],
    idempotencyKey: "run-2",
  });
  assert.equal(attachment.status, "started");
  await client.waitForEvent("chat", (frame) => frame.payload.runId === "run-2");
  assert.equal((await client.call("chat.history", { sessionKey: "main" })).messages[1].content, "[attachment]");
  const empty = await client.call("chat.history", { sessionKey: "agent:main:never" });
  assert.deepEqual(empty, { sessionKey: "agent:main:never", sessionId: null, messages: [], thinkingLevel: null, verboseLevel: null });
  await client.close();
});

test("chat.send refusals: key, idempotency key, NUL, empty message, unknown params", async () => {
  const { url, token } = await sessionsHost({ gateway: true });
  const client = await connect(url, token, ["operator.write"]);
  const base = { sessionKey: "main", message: "hi", idempotencyKey: "k" };
  assert.equal((await refusal(client.call("chat.send", { ...base, sessionKey: "  " }))).message, "sessionKey is required");
  assert.equal((await refusal(client.call("chat.send", { ...base, idempotencyKey: " " }))).message, "idempotencyKey is required");
  const nul = await refusal(client.call("chat.send", { ...base, message: "a\u0000b" }));
  assert.deepEqual([nul.code, nul.message], ["INVALID_REQUEST", "message must not contain null bytes"]);
  assert.equal((await refusal(client.call("chat.send", { ...base, message: " " }))).message, "message or attachment required");
  assert.equal(
    (await refusal(client.call("chat.send", { ...base, foo: 1 }))).message,
    "invalid chat.send params: at root: unexpected property 'foo'",
  );
  assert.match(
    (await refusal(client.call("chat.send", { sessionKey: "main", idempotencyKey: "k" }))).message,
    /^invalid chat\.send params: .*message/,
  );
  assert.match((await refusal(client.call("chat.history", { sessionKey: "main", extra: true }))).message, /unexpected property 'extra'/);
  await client.close();
});

test("chat.abort and stop words abort in-flight runs of the session only", async () => {
  const { url, token } = await sessionsHost({ gateway: true, config: { chatRunMs: 600_000 } });
  const client = await connect(url, token, ["operator.write"]);
  await client.call("chat.send", { sessionKey: "main", message: "one", idempotencyKey: "a1" });
  await client.call("chat.send", { sessionKey: "main", message: "two", idempotencyKey: "a2" });
  await client.call("chat.send", { sessionKey: "agent:main:other", message: "three", idempotencyKey: "b1" });
  assert.equal((await refusal(client.call("chat.abort", { sessionKey: "main", runId: "b1" }))).message, "runId does not match sessionKey");
  assert.deepEqual(await client.call("chat.abort", { sessionKey: "main", runId: "nope" }), { ok: true, aborted: false, runIds: [] });
  assert.deepEqual(await client.call("chat.abort", { sessionKey: "main", runId: "a1" }), { ok: true, aborted: true, runIds: ["a1"] });
  const aborted = await client.waitForEvent("chat", (frame) => frame.payload.runId === "a1");
  assert.equal(aborted.payload.state, "aborted");
  assert.deepEqual(
    await client.call("chat.abort", { sessionKey: "main", runId: "a1" }),
    { ok: true, aborted: false, runIds: [] },
    "not in flight any more",
  );
  const rows = (await client.call("sessions.list", {})).sessions;
  assert.deepEqual(rows.find((row: any) => row.key === "agent:main:main").activeRunIds, ["a2"]);
  assert.equal(rows.find((row: any) => row.key === "agent:main:main").hasActiveRun, true);
  assert.deepEqual(await client.call("chat.send", { sessionKey: "MAIN", message: " /STOP ", idempotencyKey: "s" }), {
    ok: true,
    aborted: true,
    runIds: ["a2"],
  });
  assert.deepEqual(await client.call("chat.send", { sessionKey: "main", message: "two", idempotencyKey: "a2" }), {
    runId: "a2",
    status: "aborted",
  });
  assert.deepEqual(await client.call("chat.abort", { sessionKey: "agent:main:other" }), { ok: true, aborted: true, runIds: ["b1"] });
  assert.equal((await client.call("chat.history", { sessionKey: "main" })).messages.length, 2, "stop words are not recorded");
  await client.close();
});

test("chat.inject: assistant message, chat event to readers, parent is the previous chat message", async () => {
  const { url, token, host } = await sessionsHost({ gateway: true });
  const admin = await connect(url, token, ["operator.admin"]);
  const reader = await connect(url, token, ["operator.read"]);
  const blind = await connect(url, token, []);
  assert.equal(
    (await refusal(admin.call("chat.inject", { sessionKey: "agent:main:ghost", message: "x" }))).message,
    "session not found: agent:main:ghost",
  );
  await call(host, "sessions.send", {
    sessionKey: "agent:ops:slack:group:g1",
    message: "from slack",
    channel: "slack",
    requestId: "slack-1",
  });
  await host.defender.evaluate({
    id: "decision-1",
    sessionKey: "agent:ops:slack:group:g1",
    tool: "exec",
    command: "git status",
    channel: "slack",
  });
  await eventually(
    async () => (await call(host, "session.status", { sessionKey: "agent:ops:slack:group:g1" })).session.totalRequests === 1,
    "decision",
  );
  const injected = await admin.call("chat.inject", { sessionKey: "AGENT:OPS:SLACK:GROUP:G1", message: " operator note ", label: "ops" });
  assert.equal(injected.ok, true);
  assert.match(injected.messageId, /^msg-\d+-\d+$/);
  const event = await reader.waitForEvent("chat", (frame) => frame.payload.runId === `inject-${injected.messageId}`);
  assert.equal(event.payload.sessionKey, "agent:ops:slack:group:g1");
  assert.equal(event.payload.state, "final");
  assert.equal(event.payload.agentId, "ops");
  assert.deepEqual((({ id, parentId, role, content }) => ({ id, parentId, role, content }))(event.payload.message), {
    id: `inject-${injected.messageId}`,
    parentId: "slack-1",
    role: "assistant",
    content: "[ops] operator note",
  });
  const history = await reader.call("chat.history", { sessionKey: "agent:ops:slack:group:g1" });
  assert.deepEqual(
    history.messages.map((m: any) => [m.role, m.parentId]),
    [
      ["user", null],
      ["assistant", "slack-1"],
    ],
  );
  const session = (await call(host, "session.status", { sessionKey: "agent:ops:slack:group:g1" })).session;
  assert.equal(session.channel, "slack", "chat never overwrites the session's channel (seed §8 item 16)");
  assert.deepEqual(await call(host, "sessions.list", { channel: "slack" }).then((r) => r.count), 1);
  const writer = await connect(url, token, ["operator.write"]);
  assert.equal((await refusal(writer.call("chat.inject", { sessionKey: "main", message: "x" }))).code, "FORBIDDEN", "inject needs admin");
  assert.equal(blind.events.filter((frame) => frame.event === "chat").length, 0, "chat events need operator.read");
  for (const client of [admin, reader, blind, writer]) await client.close();
});

test("sessions scopes follow upstream: read, write for ordinary patch fields, admin for the rest", async () => {
  const { url, token } = await sessionsHost({ gateway: true });
  const reader = await connect(url, token, ["operator.read"]);
  const writer = await connect(url, token, ["operator.write"]);
  const admin = await connect(url, token, ["operator.admin"]);
  assert.equal(
    (await refusal(reader.call("sessions.patch", { key: "agent:main:s", label: "x" }))).message,
    "missing scope: operator.write",
  );
  await writer.call("sessions.patch", { key: "agent:main:s", label: "x", model: "m", thinkingLevel: "low" });
  assert.equal(
    (await refusal(writer.call("sessions.patch", { key: "agent:main:s", sendPolicy: "deny" }))).message,
    "missing scope: operator.admin",
  );
  await admin.call("sessions.patch", { key: "agent:main:s", sendPolicy: "deny" });
  for (const method of ["sessions.list", "sessions.preview", "sessions.usage", "sessions.history", "session.status", "chat.history"]) {
    await reader.call(
      method,
      method === "chat.history" ? { sessionKey: "agent:main:s" } : method === "sessions.preview" ? { keys: ["agent:main:s"] } : {},
    );
  }
  assert.equal((await reader.call("sessions.resolve", { key: "agent:main:s" })).key, "agent:main:s");
  for (const method of ["sessions.reset", "sessions.delete", "sessions.compact"]) {
    assert.equal((await refusal(writer.call(method, { key: "agent:main:s" }))).message, "missing scope: operator.admin", method);
  }
  assert.equal(
    (await refusal(reader.call("sessions.send", { key: "agent:main:s", message: "x" }))).message,
    "missing scope: operator.write",
  );
  assert.equal((await admin.call("sessions.delete", { key: "agent:main:s" })).deleted, true);
  for (const client of [reader, writer, admin]) await client.close();
});
