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

test("sessions.reset: reasons, a new sessionId, counters and history cleared, settings kept, transcript archived", async () => {
  const { host } = await sessionsHost();
  await call(host, "sessions.send", { sessionKey: "agent:main:r", message: "before", channel: "telegram", to: "peer", accountId: "acct" });
  await call(host, "sessions.patch", { key: "agent:main:r", label: "Keep", queueMode: "collect" });
  await host.defender.evaluate({ id: "x", sessionKey: "agent:main:r", tool: "exec", command: BLOCKED_COMMAND });
  const before = await eventually(async () => {
    const s = (await call(host, "session.status", { sessionKey: "agent:main:r" })).session;
    return s.totalRequests === 1 && s;
  }, "decision recorded");
  assert.equal((await callError(host, "sessions.reset", { key: "agent:main:r", reason: "wipe" })).message, "reason must be new|reset");
  const reset = await call(host, "sessions.reset", { key: "agent:main:r", reason: " NEW " });
  assert.equal(reset.ok, true);
  assert.equal(reset.reset, true);
  assert.equal(reset.reason, "new");
  assert.notEqual(reset.entry.sessionId, before.sessionId);
  assert.equal(reset.entry.totalRequests, 0);
  assert.equal(reset.entry.lastAction, null);
  assert.equal(reset.entry.lastRiskScore, 0);
  assert.equal(reset.entry.label, "Keep");
  assert.equal(reset.entry.queueMode, "collect");
  assert.deepEqual(reset.entry.deliveryContext, { channel: "telegram", to: "peer", accountId: "acct" });
  assert.equal(reset.archived.length, 1);
  assert.match(reset.archived[0], new RegExp(`^memory://session-registry/archives/${before.sessionId}\\.reset\\.`));
  assert.equal((await call(host, "sessions.history", { sessionKey: "agent:main:r" })).count, 0);
  const created = await call(host, "sessions.reset", { key: "agent:main:fresh" });
  assert.equal(created.reason, "reset");
  assert.deepEqual(created.archived, []);
});

test("sessions.delete: main is protected, the transcript is archived, deleted says whether it existed", async () => {
  const { host } = await sessionsHost();
  for (const key of ["main", "agent:main:main", "agent:x:main"])
    assert.equal((await callError(host, "sessions.delete", { key })).message, "cannot delete main session");
  await call(host, "sessions.send", { sessionKey: "agent:main:gone", message: "bye" });
  const sessionId = (await call(host, "session.status", { sessionKey: "agent:main:gone" })).session.sessionId;
  const deleted = await call(host, "sessions.delete", { key: "agent:main:gone" });
  assert.equal(deleted.ok, true);
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.path, "memory://session-registry");
  assert.equal(deleted.archived.length, 1);
  assert.match(deleted.archived[0], new RegExp(`/archives/${sessionId}\\.deleted\\.`));
  const archive: any = await host.store.keyv.get(`sessions:archive:${deleted.archived[0].split("/archives/")[1]}`);
  assert.equal(archive.key, "agent:main:gone");
  assert.deepEqual(
    archive.events.map((e: any) => e.text),
    ["bye"],
    "the transcript really is in the archive",
  );
  assert.equal((await callError(host, "session.status", { sessionKey: "agent:main:gone" })).code, "TALON_RPC_NOT_FOUND");
  assert.deepEqual(await call(host, "sessions.delete", { key: "agent:main:gone" }), {
    ok: true,
    path: "memory://session-registry",
    key: "agent:main:gone",
    deleted: false,
    archived: [],
  });
  await call(host, "sessions.send", { sessionKey: "agent:main:kept", message: "keep me" });
  await call(host, "sessions.history", { sessionKey: "agent:main:kept" });
  const keptId = (await call(host, "session.status", { sessionKey: "agent:main:kept" })).session.sessionId;
  const rowsOf = async (id: string) => {
    let rows = 0;
    for await (const [key] of host.store.scan(`sessions:t:${id}:`)) if (key) rows++;
    return rows;
  };
  assert.equal(await rowsOf(keptId), 1);
  const keep = await call(host, "sessions.delete", { key: "agent:main:kept", deleteTranscript: false });
  assert.deepEqual(keep.archived, []);
  assert.equal(await rowsOf(keptId), 0, "without an archive the transcript rows are still deleted, not left behind");
  assert.equal(await rowsOf(sessionId), 0);
});

test("sessions.compact: maxLines rules, archive of what was dropped (the default can compact: seed §8 item 9)", async () => {
  const { host } = await sessionsHost({ config: { maxHistoryEvents: 1000, compactDefaultLines: 400 } });
  assert.equal((await callError(host, "sessions.compact", { key: "agent:main:c", maxLines: 0 })).message, "maxLines must be >= 1");
  assert.deepEqual(await call(host, "sessions.compact", { key: "agent:main:c" }), {
    ok: true,
    path: "memory://session-registry",
    key: "agent:main:c",
    compacted: false,
    kept: 0,
    removed: 0,
    reason: "missing session",
    archived: [],
  });
  for (let i = 0; i < 450; i++) await call(host, "sessions.send", { sessionKey: "agent:main:c", message: `m${i}` });
  const below = await call(host, "sessions.compact", { key: "agent:main:c", maxLines: 1000 });
  assert.deepEqual([below.compacted, below.kept, below.reason], [false, 450, "below limit"]);
  const compacted = await call(host, "sessions.compact", { key: "agent:main:c" });
  assert.deepEqual([compacted.compacted, compacted.kept, compacted.removed, compacted.reason], [true, 400, 50, null]);
  assert.equal(compacted.archived.length, 1);
  const logs = await call(host, "sessions.usage.logs", { key: "agent:main:c", limit: 1000 });
  assert.equal(logs.count, 400);
  assert.equal(logs.logs.at(-1).text, "m50", "the oldest 50 were dropped");
  const small = await call(host, "sessions.compact", { key: "agent:main:c", maxLines: 10 });
  assert.deepEqual([small.kept, small.removed], [10, 390]);
  const status = await call(host, "session.status", { key: "agent:main:c" });
  assert.equal(status.session.compactionCount, 2);
  const seqs: number[] = [];
  for await (const [key] of host.store.scan(`sessions:t:${status.session.sessionId}:`)) if (key) seqs.push(Number(key.split(":").at(-1)));
  assert.deepEqual(
    seqs.sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => 440 + i),
    "compacted rows are deleted from the store, only the kept window remains",
  );
});

test("sessions.send: records a send, replaces the route, refuses webchat, counts chunks", async () => {
  const { host } = await sessionsHost();
  const sent = await call(host, "sessions.send", {
    sessionKey: "agent:ops:discord:group:g1",
    text: "x".repeat(2500),
    channel: "Discord",
    to: "chan-1",
    accountId: "bot",
    requestId: "req-1",
    source: "cli",
  });
  assert.equal(sent.accepted, true);
  assert.equal(sent.chunkCount, 2, "2000 characters a chunk on Discord");
  assert.deepEqual(Object.keys(sent.recorded).sort(), ["atMs", "channel", "kind", "requestId", "sessionKey", "source", "text"]);
  assert.equal(sent.recorded.channel, "discord");
  assert.deepEqual(sent.session.deliveryContext, { channel: "discord", to: "chan-1", accountId: "bot" });
  const moved = await call(host, "sessions.send", { sessionKey: "agent:ops:discord:group:g1", command: "ls", channel: "tg" });
  assert.equal(moved.session.channel, "telegram", "a send replaces the channel; aliases are normalised");
  assert.equal(moved.chunkCount, undefined, "no text, no chunk count");
  const webchat = await callError(host, "sessions.send", { sessionKey: "main", message: "hi", channel: "WebChat" });
  assert.equal(
    webchat.message,
    "unsupported channel: webchat (internal-only). Use `chat.send` for WebChat UI messages or choose a deliverable channel.",
  );
  assert.equal((await callError(host, "sessions.send", { sessionKey: "main", message: "  " })).message, "message or command is required");
  assert.equal((await callError(host, "sessions.send", { message: "hi" })).message, "sessionKey|key is required");
  const longId = await callError(host, "sessions.send", { sessionKey: "main", message: "hi", requestId: "r".repeat(257) });
  assert.deepEqual(
    [longId.code, longId.message, longId.details],
    ["TALON_RPC_INVALID_PARAMS", "requestId too long (max 256 bytes)", { field: "requestId", maxBytes: 256 }],
  );
  assert.equal(
    (await call(host, "sessions.send", { sessionKey: "main", message: "hi", requestId: "r".repeat(256) })).recorded.requestId,
    "r".repeat(256),
  );
  const byId = await callError(host, "sessions.history", { sessionId: "sess-none" });
  assert.deepEqual(
    [byId.code, byId.message, byId.details],
    ["TALON_RPC_NOT_FOUND", "session not found: sessionId sess-none", { sessionId: "sess-none" }],
  );
  const status = await call(host, "session.status", { sessionKey: "agent:ops:discord:group:g1" });
  assert.equal(status.session.totalRequests, 0, "sends never touch decision counters");
});

test("sessions.history, usage.logs and usage.timeseries read the transcript newest first", async () => {
  const { host } = await sessionsHost();
  await call(host, "sessions.send", { sessionKey: "agent:main:a", message: "a1" });
  await host.defender.evaluate({ id: "dec-1", sessionKey: "agent:main:a", tool: "exec", command: "git status", channel: "slack" });
  await eventually(
    async () => (await call(host, "session.status", { sessionKey: "agent:main:a" })).session.totalRequests === 1,
    "decision",
  );
  await call(host, "sessions.send", { sessionKey: "agent:main:b", message: "b1" });
  const history = await call(host, "sessions.history", { sessionKey: "agent:main:a" });
  assert.equal(history.sessionKey, "agent:main:a");
  assert.deepEqual(
    history.history.map((h: any) => h.kind),
    ["decision", "send"],
  );
  const decision = history.history[0];
  assert.equal(decision.requestId, "dec-1");
  assert.equal(decision.command, "git status");
  assert.equal(decision.action, "allow");
  assert.equal(decision.channel, "slack");
  assert.equal(typeof decision.riskScore, "number");
  const sessionId = (await call(host, "session.status", { sessionKey: "agent:main:b" })).session.sessionId;
  assert.equal((await call(host, "sessions.history", { sessionId })).history[0].text, "b1");
  const merged = await call(host, "sessions.history", { limit: 3 });
  assert.equal(merged.sessionKey, null);
  assert.equal(merged.count, 3);
  assert.deepEqual(merged.history.map((h: any) => h.text ?? h.command).sort(), ["a1", "b1", "git status"]);
  assert.ok(
    merged.history.every((h: any, i: number) => i === 0 || merged.history[i - 1].atMs >= h.atMs),
    "newest first across sessions",
  );
  assert.equal((await call(host, "sessions.history", { limit: 2 })).count, 2);
  assert.equal((await callError(host, "sessions.history", { sessionKey: "  " })).message, "sessionKey|key cannot be empty");
  const logs = await call(host, "sessions.usage.logs", { key: "agent:main:a", limit: 1 });
  assert.deepEqual([logs.key, logs.count, logs.logs[0].kind], ["agent:main:a", 1, "decision"]);
  const series = await call(host, "sessions.usage.timeseries", { key: "agent:main:a" });
  assert.equal(series.count, 1);
  assert.deepEqual(
    (({ totalEvents, decisionEvents, sendEvents, allowCount }) => ({ totalEvents, decisionEvents, sendEvents, allowCount }))(
      series.points[0],
    ),
    { totalEvents: 2, decisionEvents: 1, sendEvents: 1, allowCount: 1 },
  );
  assert.match(series.points[0].date, /^\d{4}-\d{2}-\d{2}$/);
});

test("sessions.usage: window, rows with sends (seed §8 item 12), totals and groupings", async () => {
  const { host } = await sessionsHost();
  await host.defender.evaluate({ id: "u1", sessionKey: "agent:ops:slack:group:g", tool: "exec", command: "git status", channel: "slack" });
  await host.defender.evaluate({
    id: "u2",
    sessionKey: "agent:ops:slack:group:g",
    tool: "exec",
    command: BLOCKED_COMMAND,
    channel: "slack",
  });
  await call(host, "sessions.send", { sessionKey: "agent:sales:only-sends", message: "hello" });
  await eventually(
    async () => (await call(host, "session.status", { sessionKey: "agent:ops:slack:group:g" })).session.totalRequests === 2,
    "decisions",
  );
  const usage = await call(host, "sessions.usage", { includeContextWeight: true });
  assert.equal(usage.updatedAt, usage.generatedAtMs);
  assert.equal(usage.sessionKey, null);
  assert.equal(usage.range.days, 30);
  assert.deepEqual(
    usage.sessions.map((row: any) => row.key),
    ["agent:ops:slack:group:g", "agent:sales:only-sends"],
  );
  const [row, sendsOnly] = usage.sessions;
  assert.equal(row.totalRequests, 2);
  assert.equal(row.allowedCount + row.reviewCount + row.blockedCount, 2);
  assert.equal(row.contextWeight, null);
  assert.equal(sendsOnly.sendCount, 1);
  assert.equal(sendsOnly.lastAction, undefined);
  assert.equal(usage.totals.totalTokens, 2);
  assert.equal(usage.aggregates.messages.total, 2);
  assert.deepEqual(usage.aggregates.byAgent.map((a: any) => a.agentId).sort(), ["ops", "sales"]);
  assert.equal(usage.aggregates.byChannel.find((c: any) => c.channel === "slack").totals.totalTokens, 2);
  assert.equal(usage.aggregates.daily.length, 1);
  assert.equal(usage.actions.allow + usage.actions.review + usage.actions.block, 2);
  const past = await call(host, "sessions.usage", { startDate: "2020-01-01", endDate: "2020-01-31" });
  assert.equal(past.count, 0, "nothing happened in that window");
  const one = await call(host, "sessions.usage", { key: "agent:sales:only-sends", startDate: "2020-01-01", endDate: "2020-01-02" });
  assert.equal(one.count, 1, "a named session is listed even when idle in the window");
});

test("session.status: one session with its decision state, or a summary; sessions.status is an alias", async () => {
  const { host } = await sessionsHost();
  await host.defender.evaluate({
    id: "s1",
    sessionKey: "agent:main:st",
    source: "agent",
    tool: "exec",
    command: "git status",
    channel: "discord",
  });
  const status = await eventually(async () => {
    const s = await call(host, "session.status", { sessionKey: "agent:main:st" });
    return s.session.totalRequests === 1 && s;
  }, "decision");
  assert.equal(status.decisionState.lastSource, "agent");
  assert.equal(status.decisionState.lastChannel, "discord");
  assert.equal(typeof status.decisionState.firstSeenMs, "number");
  assert.deepEqual(
    await call(host, "sessions.status", { sessionKey: "agent:main:st" }),
    await call(host, "session.status", { sessionKey: "agent:main:st" }),
  );
  const summary = await call(host, "session.status", {});
  assert.equal(summary.summary.totalSessions, 1);
  assert.equal(summary.summary.totalRequests, 1);
});
