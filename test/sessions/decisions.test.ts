/**
 * Every decision is recorded into its canonical session through the `decision` hook: counters,
 * last action and risk, first/last seen, last source and channel, history. Writes are coalesced
 * and bounded; the state is readable after a restart and through the plugin's public API.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { BLOCKED_COMMAND, KEYWORD_PLUGIN, call, eventually, sessionsHost, sqliteHost } from "./helpers.ts";

const fixture = fileURLToPath(new URL("./fixtures/uses-sessions", import.meta.url));

test("a burst of decisions across sessions is recorded exactly and survives a restart", async () => {
  const first = await sqliteHost();
  const { host } = first;
  const sessions = 40;
  const perSession = 50;
  // Every session's lane runs its decisions in order; the 40 lanes run at once.
  const expected = new Map<string, { allow: number; review: number; block: number; last: string }>();
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      const tally = { allow: 0, review: 0, block: 0, last: "" };
      expected.set(`agent:main:discord:group:g${s}`, tally);
      for (let i = 0; i < perSession; i++) {
        // Alternate spellings of one session: the raw key and its canonical form.
        const sessionKey = i % 2 === 0 ? `discord:group:g${s}` : `agent:main:discord:group:g${s}`;
        const command = i % 10 === 0 ? BLOCKED_COMMAND : "git status";
        const evaluation = await host.defender.evaluate({
          id: `e-${s}-${i}`,
          sessionKey,
          source: "agent",
          tool: "exec",
          command,
          channel: "discord",
        });
        const verdict = host.defender.decisionOf(evaluation)!.action;
        tally[verdict]++;
        tally.last = verdict;
      }
    }),
  );
  const summary = await eventually(async () => {
    const s = (await call(host, "session.status", {})).summary;
    return s.totalRequests === sessions * perSession && s;
  }, "every decision counted");
  assert.equal(summary.totalSessions, sessions, "raw and canonical spellings are one session");
  const health = await call(host, "health", {});
  assert.ok(health.sessions.pendingWrites <= sessions * perSession);
  assert.equal(health.sessions.droppedEvents, 0);
  await first.stop();
  const second = await sqliteHost(first.dir);
  for (let s = 0; s < sessions; s++) {
    const status = await call(second.host, "session.status", { sessionKey: `discord:group:g${s}` });
    assert.equal(status.decisionState.totalRequests, perSession);
    const tally = expected.get(`agent:main:discord:group:g${s}`)!;
    assert.deepEqual(
      [
        status.decisionState.allowedCount,
        status.decisionState.reviewCount,
        status.decisionState.blockedCount,
        status.decisionState.lastAction,
      ],
      [tally.allow, tally.review, tally.block, tally.last],
      "the recorded counters are exactly the defender's verdicts",
    );
    assert.ok(tally.block >= perSession / 10, "the keyword fixture blocked at least every tenth");
    assert.equal(status.decisionState.lastSource, "agent");
    assert.equal(status.decisionState.lastChannel, "discord");
    assert.ok(status.decisionState.firstSeenMs <= status.decisionState.lastSeenMs);
    const logs = await call(second.host, "sessions.usage.logs", { key: `discord:group:g${s}`, limit: 1000 });
    assert.equal(logs.count, perSession, "one history event per decision");
    assert.deepEqual(new Set(logs.logs.map((l: any) => l.requestId)).size, perSession);
  }
});

test("decisions without a session go to global; the channel is set only when the session has none", async () => {
  const first = await sqliteHost();
  const { host } = first;
  await host.defender.evaluate({ id: "g1", tool: "exec", command: "git status" });
  await call(host, "sessions.send", { sessionKey: "agent:main:routed", message: "hi", channel: "slack" });
  await host.defender.evaluate({ id: "r1", sessionKey: "agent:main:routed", tool: "exec", command: "git status", channel: "telegram" });
  const routed = await eventually(async () => {
    const s = await call(host, "session.status", { sessionKey: "agent:main:routed" });
    return s.session.totalRequests === 1 && s;
  }, "decision");
  assert.equal(routed.session.channel, "slack");
  assert.equal(routed.decisionState.lastChannel, "telegram");
  assert.equal((await call(host, "sessions.history", { sessionKey: "agent:main:routed" })).history[0].channel, "telegram");
  const global = await call(host, "session.status", { sessionKey: "global" });
  assert.equal(global.session.totalRequests, 1);
  assert.equal(global.session.kind, "global");
});

test("unwritten decision events are bounded while the store refuses writes; counters stay exact", async () => {
  const first = await sqliteHost(undefined, { config: { maxPendingEvents: 1000 } });
  const { host } = first;
  await call(host, "sessions.patch", { key: "agent:main:load" });
  const adapter = (host.store.keyv as unknown as { store: { query(sql: string): Promise<unknown> } }).store;
  await adapter.query("PRAGMA query_only=1");
  await Promise.all(
    Array.from({ length: 3000 }, (_, i) =>
      host.defender.evaluate({ id: `p${i}`, sessionKey: "agent:main:load", tool: "exec", command: "git status" }),
    ),
  );
  const health = await eventually(async () => {
    const h = await call(host, "health", {});
    return h.sessions.droppedEvents > 0 && h;
  }, "oldest pending events dropped");
  assert.ok(health.sessions.pendingWrites <= 1000, `pending writes stay under the cap (${health.sessions.pendingWrites})`);
  assert.equal((await call(host, "session.status", { sessionKey: "agent:main:load" })).session.totalRequests, 3000);
  await adapter.query("PRAGMA query_only=0");
  await first.stop();
  const second = await sqliteHost(first.dir);
  const status = await call(second.host, "session.status", { sessionKey: "agent:main:load" });
  assert.equal(status.decisionState.totalRequests, 3000, "the counters were written once the store accepted writes");
  const logs = await call(second.host, "sessions.usage.logs", { key: "agent:main:load", limit: 1000 });
  assert.ok(logs.count > 0 && logs.count < 3000, "the oldest unwritten events were dropped");
  assert.equal(logs.logs[0].atMs, status.decisionState.lastSeenMs, "the newest event is kept");
});

test("another plugin reads decision state and routing settings through ctx.use('sessions')", async () => {
  const dir = await tempDir("talon-sessions-api-");
  const { host, stop } = await startTestHost(
    { data_dir: dir, state: { url: "sqlite" }, plugins: { builtin: ["sessions", "decision-policy"], load: [fixture, KEYWORD_PLUGIN] } },
    { gateway: false },
  );
  assert.deepEqual(await call(host, "fixture.sessions.state", { key: "main" }), {
    state: null,
    settings: null,
    canonical: "agent:main:main",
  });
  await call(host, "sessions.patch", { key: "main", queueMode: "steer", groupActivation: "always", sendPolicy: "deny" });
  await host.defender.evaluate({
    id: "api-1",
    sessionKey: "agent:main:main",
    tool: "exec",
    command: BLOCKED_COMMAND,
    source: "agent",
    channel: "slack",
  });
  const read = await eventually(async () => {
    const r = await call(host, "fixture.sessions.state", { key: " MAIN " });
    return r.state?.totalRequests === 1 && r;
  }, "decision state");
  assert.deepEqual(read.settings, { sendPolicy: "deny", groupActivation: "always", queueMode: "steer" });
  assert.equal(read.state.key, "agent:main:main");
  assert.equal(read.state.lastAction, "block");
  assert.equal(read.state.lastChannel, "slack");
  await call(host, "fixture.sessions.record", { key: "main", text: "from a plugin", channel: "telegram" });
  const history = await call(host, "sessions.history", { sessionKey: "main" });
  assert.equal(history.history[0].text, "from a plugin");
  assert.equal(history.history[0].source, "fixture");
  await stop();
  const again = await startTestHost(
    { data_dir: dir, state: { url: "sqlite" }, plugins: { builtin: ["sessions", "decision-policy"], load: [fixture, KEYWORD_PLUGIN] } },
    { gateway: false },
  );
  assert.equal((await call(again.host, "fixture.sessions.state", { key: "main" })).state.totalRequests, 1, "readable after a restart");
});

test("a decision on an over-long key lands in a session the sessions RPCs can name (one key bound)", async () => {
  const { host } = await sessionsHost();
  // 512 raw characters, 523 once canonicalised: the defender and the RPCs must agree on the cut.
  const raw = `discord:group:${"g".repeat(498)}`;
  await host.defender.evaluate({ id: "long-key", sessionKey: raw, source: "agent", tool: "exec", command: "git status" });
  const listed = await eventually(
    async () => (await call(host, "sessions.list", {})).sessions.find((row: any) => row.key.startsWith("agent:main:discord:group:g")),
    "the decision's session",
  );
  assert.equal(listed.key, `agent:main:discord:group:${"g".repeat(487)}`);
  const patched = await call(host, "sessions.patch", { key: listed.key, label: "long" });
  assert.equal(patched.key, listed.key);
  assert.equal(patched.entry.totalRequests, 1, "the patch reached the decision's session, not a new one");
  const deleted = await call(host, "sessions.delete", { key: listed.key });
  assert.equal(deleted.deleted, true);
  assert.equal((await call(host, "sessions.list", {})).count, 0);
});
