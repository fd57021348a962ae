/**
 * sessions.reset, delete, compact, send, history, usage and status (seed-gateway §2.2), in process on a real host.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BLOCKED_COMMAND, call, callError, eventually, sessionsHost } from "./helpers.ts";

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
