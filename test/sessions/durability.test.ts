/**
 * Durability on a real SQLite file: sessions, metadata, transcripts and decision state survive
 * a restart; a failed store write leaves the session exactly as it was; concurrent changes of one
 * session are serialised; unreadable records are skipped, never destroyed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TalonHost } from "../../core/index.ts";
import { BLOCKED_COMMAND, call, callError, eventually, sqliteHost } from "./helpers.ts";

/** Make the real SQLite connection refuse writes (SQLITE_READONLY), or accept them again. */
async function setReadOnly(host: TalonHost, readOnly: boolean): Promise<void> {
  const adapter = (host.store.keyv as unknown as { store: { query(sql: string): Promise<unknown> } }).store;
  await adapter.query(`PRAGMA query_only=${readOnly ? 1 : 0}`);
}

test("sessions, settings, transcripts and decision state survive a restart", async () => {
  const first = await sqliteHost();
  const { host } = first;
  assert.match(host.config.state.url, /^sqlite/);
  await call(host, "sessions.patch", {
    key: "agent:ops:telegram:group:g1",
    label: "Ops room",
    queueMode: "collect",
    model: "openai/gpt-x",
  });
  await call(host, "sessions.send", {
    sessionKey: "agent:ops:telegram:group:g1",
    message: "deploy tonight?",
    channel: "telegram",
    to: "peer-9",
    accountId: "bot-1",
  });
  await host.defender.evaluate({
    id: "r1",
    sessionKey: "agent:ops:telegram:group:g1",
    source: "agent",
    tool: "exec",
    command: "git status",
    channel: "telegram",
  });
  await host.defender.evaluate({
    id: "r2",
    sessionKey: "agent:ops:telegram:group:g1",
    source: "agent",
    tool: "exec",
    command: BLOCKED_COMMAND,
    channel: "telegram",
  });
  await call(host, "chat.send", { sessionKey: "main", message: "hello chat", idempotencyKey: "run-1" });
  const before = await eventually(async () => {
    const s = await call(host, "session.status", { sessionKey: "agent:ops:telegram:group:g1" });
    return s.session.totalRequests === 2 && s;
  }, "two decisions");
  const listBefore = await call(host, "sessions.list", { includeDerivedTitles: true, includeLastMessage: true });
  const historyBefore = await call(host, "sessions.history", { sessionKey: "agent:ops:telegram:group:g1" });
  assert.equal(listBefore.path, `${first.dir}/talon.sqlite`, "the envelope path is the real store file");
  await first.stop();

  const second = await sqliteHost(first.dir);
  const after = await call(second.host, "session.status", { sessionKey: "agent:ops:telegram:group:g1" });
  assert.deepEqual(after.session, before.session);
  assert.deepEqual(after.decisionState, before.decisionState);
  assert.equal(after.decisionState.totalRequests, 2);
  assert.equal(after.decisionState.lastSource, "agent");
  assert.deepEqual(
    await call(second.host, "sessions.list", { includeDerivedTitles: true, includeLastMessage: true }).then((r) => r.sessions),
    listBefore.sessions.map((s: any) => ({ ...s, hasActiveRun: false, activeRunIds: [] })),
  );
  assert.deepEqual(await call(second.host, "sessions.history", { sessionKey: "agent:ops:telegram:group:g1" }), historyBefore);
  assert.deepEqual(
    (await call(second.host, "chat.history", { sessionKey: "main" })).messages.map((m: any) => m.content),
    ["hello chat"],
  );
  assert.equal(
    (await call(second.host, "sessions.resolve", { label: "ops room" })).key,
    "agent:ops:telegram:group:g1",
    "the label index is rebuilt",
  );
  // Counters continue across the restart (the seed's SQLite test: 2 → 3).
  await second.host.defender.evaluate({ id: "r3", sessionKey: "agent:ops:telegram:group:g1", tool: "exec", command: "ls" });
  await eventually(
    async () => (await call(second.host, "session.status", { sessionKey: "agent:ops:telegram:group:g1" })).session.totalRequests === 3,
    "third decision",
  );
  await second.stop();
  const third = await sqliteHost(first.dir);
  assert.equal((await call(third.host, "session.status", { sessionKey: "agent:ops:telegram:group:g1" })).decisionState.totalRequests, 3);
});

test("a failed store write: clear error in upstream's shape, the session exactly as it was, nothing written", async () => {
  const first = await sqliteHost();
  const { host } = first;
  await call(host, "sessions.patch", { key: "agent:main:w", label: "Before", queueMode: "steer" });
  await call(host, "sessions.send", { sessionKey: "agent:main:w", message: "one" });
  const before = await call(host, "session.status", { sessionKey: "agent:main:w" });
  await setReadOnly(host, true);
  for (const [method, params] of [
    ["sessions.patch", { key: "agent:main:w", label: "After", queueMode: "collect" }],
    ["sessions.send", { sessionKey: "agent:main:w", message: "two" }],
    ["sessions.reset", { key: "agent:main:w" }],
    ["sessions.delete", { key: "agent:main:w" }],
    ["sessions.patch", { key: "agent:main:new", label: "New" }],
  ] as const) {
    const error = await callError(host, method, params);
    assert.equal(error.code, "TALON_RPC_UNAVAILABLE", method);
    assert.match(
      error.message,
      new RegExp(`^${method.replace(".", "\\.")} was not applied: the store write failed .*the session is unchanged`),
      method,
    );
    assert.equal(error.details.code, "TALON_STATE_WRITE_FAILED");
  }
  assert.deepEqual(await call(host, "session.status", { sessionKey: "agent:main:w" }), before, "memory is untouched");
  assert.equal(
    (await callError(host, "session.status", { sessionKey: "agent:main:new" })).code,
    "TALON_RPC_NOT_FOUND",
    "no half-created session",
  );
  assert.equal((await call(host, "sessions.resolve", { label: "Before" })).key, "agent:main:w");
  assert.equal((await call(host, "sessions.resolve", { label: "New", allowMissing: true })).ok, false, "the refused label was not claimed");
  // Decisions keep counting in memory while the store refuses writes, and are written once it accepts them.
  await host.defender.evaluate({ id: "ro-1", sessionKey: "agent:main:w", tool: "exec", command: "git status" });
  await eventually(
    async () => (await call(host, "session.status", { sessionKey: "agent:main:w" })).session.totalRequests === 1,
    "decision in memory",
  );
  const chat = await callError(host, "chat.send", { sessionKey: "agent:main:w", message: "hi", idempotencyKey: "ro-run" });
  assert.equal(chat.code, "TALON_RPC_UNAVAILABLE");
  assert.deepEqual(
    (await call(host, "session.status", { sessionKey: "agent:main:w" })).session.activeRunIds,
    [],
    "no run is left behind by a refused chat message",
  );
  await setReadOnly(host, false);
  assert.equal(
    (await call(host, "chat.send", { sessionKey: "agent:main:w", message: "hi", idempotencyKey: "ro-run" })).status,
    "started",
    "the same key works once the store does",
  );
  const patched = await call(host, "sessions.patch", { key: "agent:main:w", label: "After" });
  assert.equal(patched.entry.label, "After");
  await first.stop();
  const second = await sqliteHost(first.dir);
  const status = await call(second.host, "session.status", { sessionKey: "agent:main:w" });
  assert.equal(status.session.label, "After");
  assert.equal(status.session.queueMode, "steer", "the refused queueMode never reached the store");
  assert.equal(status.decisionState.totalRequests, 1, "the decision recorded while the store refused writes was written later");
  assert.deepEqual(
    (await call(second.host, "sessions.history", { sessionKey: "agent:main:w" })).history.map((h: any) => h.text ?? h.command),
    ["hi", "git status", "one"],
  );
});

test("concurrent patches of one session are serialised; a contested label goes to exactly one session", async () => {
  const first = await sqliteHost();
  const { host } = first;
  const modes = ["followup", "steer", "collect"];
  const results = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      call(host, "sessions.patch", { key: "agent:main:busy", queueMode: modes[i % 3], label: `label-${i}` }),
    ),
  );
  // Each patch saw the one before it: the label a result reports is its own, never another's.
  results.forEach((result, i) => assert.equal(result.entry.label, `label-${i}`));
  const final = (await call(host, "session.status", { sessionKey: "agent:main:busy" })).session;
  assert.equal(final.label, "label-59");
  assert.equal(final.queueMode, modes[59 % 3]);
  const claims = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => call(host, "sessions.patch", { key: `agent:main:claim-${i}`, label: "The Label" })),
  );
  assert.equal(claims.filter((claim) => claim.status === "fulfilled").length, 1);
  for (const claim of claims)
    if (claim.status === "rejected") assert.match((claim.reason as Error).message, /label already in use: The Label/);
  assert.equal((await call(host, "sessions.list", { label: "the label" })).count, 1);
  // Changes sent together are written together, in order, each seeing the ones before it; a
  // refused change fails alone.
  const together = await Promise.allSettled([
    call(host, "sessions.patch", { key: "agent:main:x", label: "Moving" }),
    call(host, "sessions.patch", { key: "agent:main:y", label: "moving" }),
    call(host, "sessions.patch", { key: "agent:main:x", label: null }),
    call(host, "sessions.patch", { key: "agent:main:y", label: "Moving", spawnedBy: "not-a-subagent" }),
    call(host, "sessions.patch", { key: "agent:main:y", label: "Moving" }),
    call(host, "sessions.send", { sessionKey: "agent:main:y", message: "after the label" }),
  ]);
  assert.deepEqual(
    together.map((result) => result.status),
    ["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled", "fulfilled"],
  );
  assert.match(String((together[1] as PromiseRejectedResult).reason.message), /label already in use: moving/);
  assert.equal((await call(host, "sessions.resolve", { label: "moving" })).key, "agent:main:y");
  assert.equal((await call(host, "session.status", { sessionKey: "agent:main:x" })).session.label, undefined);
  await first.stop();
  const second = await sqliteHost(first.dir);
  assert.equal((await call(second.host, "session.status", { sessionKey: "agent:main:busy" })).session.label, "label-59");
  assert.equal((await call(second.host, "sessions.resolve", { label: "moving" })).key, "agent:main:y");
  assert.equal((await call(second.host, "sessions.history", { sessionKey: "agent:main:y" })).count, 1);
});

test("an unreadable session record is skipped at start-up and kept in the store", async () => {
  const first = await sqliteHost();
  await call(first.host, "sessions.patch", { key: "agent:main:good", label: "Good" });
  await first.host.store.keyv.set("sessions:meta:agent:main:bad", { not: "a session" });
  await first.stop();
  const second = await sqliteHost(first.dir);
  const list = await call(second.host, "sessions.list", {});
  assert.deepEqual(
    list.sessions.map((s: any) => s.key),
    ["agent:main:good"],
  );
  assert.deepEqual(await second.host.store.keyv.get("sessions:meta:agent:main:bad"), { not: "a session" }, "nothing is destroyed");
  const status = await call(second.host, "health", {});
  assert.equal(status.sessions.count, 1);
  assert.deepEqual(
    status.sessions.recent.map((r: any) => r.key),
    ["agent:main:good"],
  );
  assert.equal(status.sessions.path, `${first.dir}/talon.sqlite`);
});

test("transcripts are bounded: old events roll out of the store as well as memory", async () => {
  const first = await sqliteHost(undefined, { config: { maxHistoryEvents: 20 } });
  const { host } = first;
  for (let i = 0; i < 30; i++) await call(host, "sessions.send", { sessionKey: "agent:main:bounded", message: `m${i}` });
  for (let i = 0; i < 30; i++)
    await host.defender.evaluate({ id: `b${i}`, sessionKey: "agent:main:bounded", tool: "exec", command: `echo ${i}` });
  await eventually(
    async () => (await call(host, "session.status", { sessionKey: "agent:main:bounded" })).session.totalRequests === 30,
    "decisions",
  );
  const sessionId = (await call(host, "session.status", { sessionKey: "agent:main:bounded" })).session.sessionId;
  await first.stop();
  const second = await sqliteHost(first.dir, { config: { maxHistoryEvents: 20 } });
  const logs = await call(second.host, "sessions.usage.logs", { key: "agent:main:bounded", limit: 1000 });
  assert.equal(logs.count, 20);
  assert.equal(logs.logs[0].command, "echo 29");
  let rows = 0;
  for await (const [key] of second.host.store.scan(`sessions:t:${sessionId}:`)) if (key) rows++;
  assert.ok(rows >= 20 && rows <= 20 + 1, `the window's rows stay, rolled-out rows are deleted from the store (found ${rows})`);
});

test("the session count is bounded: beyond maxSessions the least recently updated go, main stays", async () => {
  const first = await sqliteHost(undefined, { config: { maxSessions: 100 } });
  const { host } = first;
  await call(host, "sessions.patch", { key: "main", label: "Main" });
  for (let i = 0; i < 120; i++) await call(host, "sessions.send", { sessionKey: `agent:main:s${i}`, message: `m${i}` });
  const list = await eventually(async () => {
    const l = await call(host, "sessions.list", { limit: 1000 });
    return l.totalCount <= 100 && l;
  }, "pruning");
  const keys = new Set(list.sessions.map((s: any) => s.key));
  assert.ok(keys.has("agent:main:main"), "a main session is never pruned");
  assert.ok(keys.has("agent:main:s119"), "the newest stay");
  assert.ok(!keys.has("agent:main:s0"), "the least recently updated go");
  await first.stop();
  const second = await sqliteHost(first.dir, { config: { maxSessions: 100 } });
  assert.equal(
    (await call(second.host, "sessions.list", { limit: 1000 })).totalCount,
    list.totalCount,
    "pruned sessions are gone from the store too",
  );
});

test("chat.send is idempotent by key across concurrent duplicates and across a restart", async () => {
  const first = await sqliteHost();
  const { host } = first;
  const send = () => call(host, "chat.send", { sessionKey: "main", message: "only once", idempotencyKey: "client-run-7" });
  const [a, b] = await Promise.all([send(), send()]);
  assert.deepEqual([a.status, b.status].sort(), ["in_flight", "started"]);
  assert.equal((await call(host, "chat.history", { sessionKey: "main" })).messages.length, 1);
  await first.stop();
  const second = await sqliteHost(first.dir);
  assert.deepEqual(await call(second.host, "chat.send", { sessionKey: "main", message: "only once", idempotencyKey: "client-run-7" }), {
    runId: "client-run-7",
    status: "ok",
  });
  assert.equal(
    (await call(second.host, "chat.history", { sessionKey: "main" })).messages.length,
    1,
    "a retry after the restart records nothing twice",
  );
});
