/**
 * sessions.* semantics (seed-gateway §2.2) with upstream's shapes, in process on a real host.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BLOCKED_COMMAND, call, callError, eventually, sessionsHost } from "./helpers.ts";

test("sessions.list: envelope, order, limit, offset and the count fields", async () => {
  const { host } = await sessionsHost();
  for (const key of ["agent:a:one", "agent:b:two", "agent:c:three"]) await call(host, "sessions.patch", { key, label: key.slice(-3) });
  const all = await call(host, "sessions.list", {});
  assert.equal(all.path, "memory://session-registry");
  assert.deepEqual(all.defaults, { modelProvider: null, model: null, contextTokens: null });
  assert.equal(all.count, 3);
  assert.equal(all.totalCount, 3);
  assert.equal(all.limitApplied, 200);
  const sorted = [...all.sessions].sort((x: any, y: any) => y.updatedAtMs - x.updatedAtMs || (x.key < y.key ? -1 : 1));
  assert.deepEqual(all.sessions, sorted, "newest first, ties by key");
  const page = await call(host, "sessions.list", { limit: 2 });
  assert.equal(page.count, 2);
  assert.equal(page.hasMore, true);
  assert.equal(page.nextOffset, 2);
  const rest = await call(host, "sessions.list", { limit: 2, offset: 2 });
  assert.equal(rest.count, 1);
  assert.equal(rest.nextOffset, null);
  assert.equal((await call(host, "sessions.list", { limit: 0 })).limitApplied, 1, "limit clamps to 1..1000");
  assert.equal((await call(host, "sessions.list", { limit: 5000 })).limitApplied, 1000);
  const row = all.sessions[0];
  for (const field of [
    "key",
    "sessionId",
    "kind",
    "sessionKind",
    "updatedAt",
    "updatedAtMs",
    "totalRequests",
    "allowedCount",
    "reviewCount",
    "blockedCount",
    "lastAction",
    "lastRiskScore",
    "totalTokensFresh",
    "channel",
    "hasActiveRun",
  ]) {
    assert.ok(field in row, `row has ${field}`);
  }
  assert.equal(row.kind, "direct", "upstream's kind");
  assert.equal(row.sessionKind, "other", "the seed's kind");
  assert.equal(row.displayName, row.label);
});

test("sessions.list filters: include flags, agent, label, spawnedBy, route, search, activeMinutes", async () => {
  const { host } = await sessionsHost();
  await call(host, "sessions.patch", { key: "main", label: "Primary" });
  await call(host, "sessions.patch", { key: "global", queueMode: "steer" });
  await call(host, "sessions.patch", { key: "custom-thing" });
  await call(host, "sessions.patch", { key: "agent:ops:discord:subagent:g1", spawnedBy: "Agent:Ops:Main" });
  await call(host, "sessions.send", {
    sessionKey: "agent:ops:slack:group:g2",
    message: "route",
    channel: "Slack",
    to: "Peer-1",
    accountId: "Acct-1",
  });
  const keys = async (params: Record<string, unknown>) =>
    (await call(host, "sessions.list", params)).sessions.map((s: any) => s.key).sort();
  assert.equal((await keys({})).length, 5);
  assert.deepEqual(await keys({ includeGlobal: false }), ["agent:ops:discord:subagent:g1", "agent:ops:slack:group:g2", "custom-thing"]);
  assert.deepEqual(
    await keys({ includeUnknown: false }),
    ["agent:main:main", "agent:ops:slack:group:g2"],
    "kind other (global, custom, subagent) hidden",
  );
  assert.deepEqual(await keys({ agentId: "OPS" }), ["agent:ops:discord:subagent:g1", "agent:ops:slack:group:g2"]);
  assert.deepEqual(await keys({ label: " primary " }), ["agent:main:main"]);
  assert.equal((await keys({ label: "   " })).length, 5, "a blank label is no filter");
  assert.deepEqual(await keys({ spawnedBy: "agent:ops:main" }), ["agent:ops:discord:subagent:g1"]);
  assert.deepEqual(await keys({ channel: "slack", to: "peer-1", accountId: "acct-1" }), ["agent:ops:slack:group:g2"]);
  assert.deepEqual(await keys({ channel: "slack", to: "peer-2" }), []);
  assert.deepEqual(await keys({ search: "SUBAGENT" }), ["agent:ops:discord:subagent:g1"]);
  assert.deepEqual(await keys({ search: "primary" }), ["agent:main:main"], "search reads labels");
  assert.equal((await keys({ activeMinutes: 5 })).length, 5);
  assert.deepEqual(await keys({ excludeSubagents: true, agentId: "ops" }), ["agent:ops:slack:group:g2"], "upstream's excludeSubagents");
  const labelError = await callError(host, "sessions.list", { label: "x".repeat(65) });
  assert.equal(labelError.message, "label too long (max 64)");
  const searchError = await callError(host, "sessions.list", { search: "s".repeat(129) });
  assert.equal(searchError.code, "TALON_RPC_INVALID_PARAMS");
  assert.match(searchError.message, /search too long/, "over-long filters are refused, not cut into something that matches nothing");
  const typeError = await callError(host, "sessions.list", { limit: "10" });
  assert.match(typeError.message, /^invalid sessions\.list params: at \/limit/);
});

test("sessions.list hints: derived titles and last messages only when asked", async () => {
  const { host } = await sessionsHost();
  await host.defender.evaluate({ id: "d1", sessionKey: "agent:main:work", tool: "exec", command: "git status" });
  await call(host, "sessions.send", { sessionKey: "agent:main:work", message: "Plan the release", channel: "slack" });
  await call(host, "sessions.send", { sessionKey: "agent:main:work", command: "npm test" });
  const plain = await call(host, "sessions.list", {});
  assert.equal(plain.sessions[0].derivedTitle, undefined);
  assert.equal(plain.sessions[0].lastMessagePreview, undefined);
  const hinted = await call(host, "sessions.list", { includeDerivedTitles: true, includeLastMessage: true });
  assert.equal(hinted.sessions[0].derivedTitle, "Plan the release", "the first send wins over an earlier decision");
  assert.equal(hinted.sessions[0].displayName, "Plan the release");
  assert.equal(hinted.sessions[0].lastMessagePreview, "npm test");
  await call(host, "sessions.patch", { key: "agent:main:work", label: "Release" });
  assert.equal(
    (await call(host, "sessions.list", { includeDerivedTitles: true })).sessions[0].displayName,
    "Release",
    "a label beats the derived title",
  );
  const long = "word ".repeat(100);
  await call(host, "sessions.send", { sessionKey: "agent:main:long", message: long });
  const row = (await call(host, "sessions.list", { includeDerivedTitles: true, includeLastMessage: true, search: "long" })).sessions[0];
  assert.equal(row.derivedTitle, `${long.trim().slice(0, 120)}...`);
  assert.equal(row.lastMessagePreview, `${long.slice(0, 160)}...`);
});

test("sessions.preview: requested keys echoed, statuses, newest first, limits", async () => {
  const { host } = await sessionsHost();
  for (let i = 1; i <= 4; i++) await call(host, "sessions.send", { sessionKey: "main", message: `message ${i} ${"x".repeat(50)}` });
  await call(host, "sessions.patch", { key: "agent:main:quiet" });
  const result = await call(host, "sessions.preview", {
    keys: [" main ", "agent:main:quiet", "agent:main:nope", "  "],
    limit: 2,
    maxChars: 20,
  });
  assert.equal(typeof result.ts, "number");
  assert.deepEqual(
    result.previews.map((p: any) => [p.key, p.status, p.items.length]),
    [
      ["main", "ok", 2],
      ["agent:main:quiet", "empty", 0],
      ["agent:main:nope", "missing", 0],
    ],
  );
  assert.equal(result.previews[0].items[0].text, "message 4 xxxxxxxxxx...");
  assert.equal(result.previews[0].items[0].kind, "send");
  assert.equal(result.previews[0].items[0].sessionKey, undefined, "preview items carry no key");
  assert.deepEqual(await call(host, "sessions.preview", {}).then((r) => r.previews), []);
  const many = await call(host, "sessions.preview", { keys: Array.from({ length: 70 }, (_, i) => `agent:main:k${i}`) });
  assert.equal(many.previews.length, 64);
});

test("sessions.patch: envelope, creation, null clears, label uniqueness", async () => {
  const { host } = await sessionsHost();
  const created = await call(host, "sessions.patch", {
    key: "agent:main:desk",
    label: "Desk",
    model: "openai/gpt-x",
    thinkingLevel: "think-hard",
  });
  assert.equal(created.ok, true);
  assert.equal(created.key, "agent:main:desk");
  assert.equal(created.path, "memory://session-registry");
  assert.deepEqual(created.entry, created.session);
  assert.deepEqual(created.resolved, { modelProvider: "openai", model: "gpt-x" });
  assert.equal(created.entry.label, "Desk");
  assert.equal(created.entry.thinkingLevel, "low");
  assert.equal(created.entry.model, "gpt-x");
  assert.equal(created.entry.derivedTitle, undefined);
  const cleared = await call(host, "sessions.patch", { sessionKey: "agent:main:desk", label: null, model: null });
  assert.equal(cleared.entry.label, undefined);
  assert.equal(cleared.entry.modelOverride, undefined);
  assert.equal(cleared.entry.thinkingLevel, "low", "absent fields are kept");
  await call(host, "sessions.patch", { key: "agent:main:one", label: "Shared" });
  const taken = await callError(host, "sessions.patch", { key: "agent:main:two", label: "shared" });
  assert.equal(taken.message, "label already in use: shared");
  assert.equal((await call(host, "sessions.list", { search: "agent:main:two" })).count, 0, "the refused patch created nothing");
  await call(host, "sessions.patch", { key: "agent:main:one", label: "SHARED" });
  assert.equal(
    (await call(host, "session.status", { sessionKey: "agent:main:one" })).session.label,
    "SHARED",
    "a session may re-case its own label",
  );
  await call(host, "sessions.patch", { key: "agent:main:one", label: null });
  await call(host, "sessions.patch", { key: "agent:main:two", label: "shared" });
});

test("sessions.patch: a rejected patch has no side effect (seed §8 item 10)", async () => {
  const { host } = await sessionsHost();
  const missing = await callError(host, "sessions.patch", { key: "agent:main:new", spawnedBy: "parent" });
  assert.equal(missing.message, "spawnedBy is only supported for subagent sessions");
  assert.equal((await call(host, "sessions.list", {})).count, 0, "the seed created the session before this check");
  await call(host, "sessions.patch", { key: "agent:main:keep", queueMode: "steer" });
  const before = (await call(host, "session.status", { sessionKey: "agent:main:keep" })).session;
  const invalid = await callError(host, "sessions.patch", { key: "agent:main:keep", queueMode: "collect", label: "x".repeat(65) });
  assert.equal(invalid.message, "label too long (max 64)");
  const after = (await call(host, "session.status", { sessionKey: "agent:main:keep" })).session;
  assert.deepEqual(after, before, "neither queueMode nor updatedAt changed");
  const conflict = await callError(host, "sessions.patch", { key: "agent:main:keep", sessionKey: "agent:main:other", label: "x" });
  assert.match(conflict.message, /name different sessions/);
  const stale = await callError(host, "sessions.patch", { key: "agent:main:keep", expectedSessionId: "sess-stale", label: "y" });
  assert.equal(stale.code, "TALON_RPC_CONFLICT");
  assert.equal(stale.details.reason, "session-changed");
  const missingKey = await callError(host, "sessions.patch", { label: "x" });
  assert.equal(missingKey.message, "sessionKey|key is required");
});

test("sessions.patch: spawn metadata on subagent sessions", async () => {
  const { host } = await sessionsHost();
  const key = "agent:ops:discord:subagent:g1";
  const set = await call(host, "sessions.patch", { key, spawnedBy: "agent:ops:main", spawnDepth: 1 });
  assert.equal(set.entry.spawnedBy, "agent:ops:main");
  assert.equal(set.entry.spawnDepth, 1);
  assert.equal(
    (await callError(host, "sessions.patch", { key, spawnedBy: "agent:x:main" })).message,
    "spawnedBy cannot be changed once set",
  );
  assert.equal((await callError(host, "sessions.patch", { key, spawnDepth: null })).message, "spawnDepth cannot be cleared once set");
  await call(host, "sessions.patch", { key, spawnedBy: "AGENT:OPS:MAIN" });
});

test("sessions.resolve: key, then sessionId, then selectors; the same refusal for unknown keys", async () => {
  const { host } = await sessionsHost();
  const patched = await call(host, "sessions.patch", { key: "agent:Ops:Desk", label: "Desk" });
  assert.deepEqual(
    await call(host, "sessions.resolve", { key: "agent:ops:desk" }),
    { ok: true, key: "agent:Ops:Desk", agentId: "Ops", displayName: "Desk" },
    "case-insensitive fallback",
  );
  assert.equal(
    (await call(host, "sessions.resolve", { sessionId: patched.entry.sessionId.toUpperCase(), label: "nope" })).key,
    "agent:Ops:Desk",
  );
  assert.equal((await call(host, "sessions.resolve", { label: "desk" })).key, "agent:Ops:Desk");
  const unknown = await callError(host, "sessions.resolve", { key: "agent:main:nope" });
  assert.equal(unknown.code, "TALON_RPC_NOT_FOUND");
  assert.equal(unknown.message, "session not found: agent:main:nope");
  assert.deepEqual(await call(host, "sessions.resolve", { key: "agent:main:nope", allowMissing: true }), { ok: false });
  assert.equal((await callError(host, "sessions.resolve", { sessionId: "sess-none" })).code, "TALON_RPC_NOT_FOUND");
  assert.equal((await callError(host, "sessions.resolve", { agentId: "ops" })).message, "sessionKey|key|sessionId or label is required");
  assert.equal((await callError(host, "sessions.resolve", { label: "nobody" })).code, "TALON_RPC_NOT_FOUND");
  for (const method of ["session.status", "sessions.usage.logs", "sessions.usage.timeseries", "sessions.history", "sessions.usage"]) {
    const error = await callError(host, method, { sessionKey: "agent:main:nope" });
    assert.equal(error.code, "TALON_RPC_NOT_FOUND", method);
    assert.equal(error.message, "session not found: agent:main:nope", `${method}: the same refusal everywhere (seed §8 item 11)`);
  }
});
