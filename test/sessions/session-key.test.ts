/**
 * Every row of seed-gateway §3.4: input → canonical key → kind / agent / channel / scope / topic,
 * plus the rules around it (subagent keys, upstream kinds, one key is one session everywhere).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  SESSION_KEY_MAX_CHARS,
  boundedSessionKey,
  canonicalSessionKey,
  isSessionKeyTooLong,
  isSubagentKey,
  parseSessionKey,
  upstreamSessionKind,
  type SessionKind,
} from "@talon/sdk";
import { eventually, sessionsHost } from "./helpers.ts";

interface Row {
  input: string;
  canonical: string;
  kind: SessionKind;
  agent?: string;
  channel?: string;
  scope?: string;
  topic?: string;
  subagent?: boolean;
}

/** The table of §3.4, in order. Columns describe the parse of the canonical key. */
const TABLE: Row[] = [
  { input: "main", canonical: "agent:main:main", kind: "main", agent: "main", scope: "main" },
  { input: " MAIN ", canonical: "agent:main:main", kind: "main", agent: "main", scope: "main" },
  { input: "global", canonical: "global", kind: "other" },
  { input: "Global", canonical: "global", kind: "other" },
  { input: "agent:ops:main", canonical: "agent:ops:main", kind: "main", agent: "ops", scope: "main" },
  {
    input: "agent:main:discord:main",
    canonical: "agent:main:discord:main",
    kind: "main",
    agent: "main",
    channel: "discord",
    scope: "main",
  },
  {
    input: "discord:group:g-short",
    canonical: "agent:main:discord:group:g-short",
    kind: "group",
    agent: "main",
    channel: "discord",
    scope: "g-short",
  },
  {
    input: "telegram:group:123:topic:44",
    canonical: "agent:main:telegram:group:123:topic:44",
    kind: "group",
    agent: "main",
    channel: "telegram",
    scope: "123",
    topic: "44",
  },
  {
    input: "whatsapp:dm:+15551234567",
    canonical: "agent:main:whatsapp:dm:+15551234567",
    kind: "direct",
    agent: "main",
    channel: "whatsapp",
    scope: "+15551234567",
  },
  { input: "slack:channel:C1", canonical: "agent:main:slack:channel:C1", kind: "channel", agent: "main", channel: "slack", scope: "C1" },
  {
    input: "agent:ops:discord:channel:help",
    canonical: "agent:ops:discord:channel:help",
    kind: "channel",
    agent: "ops",
    channel: "discord",
    scope: "help",
  },
  {
    input: "agent:main:telegram:group:topic:44",
    canonical: "agent:main:telegram:group:topic:44",
    kind: "group",
    agent: "main",
    channel: "telegram",
    scope: "",
    topic: "44",
  },
  {
    input: "agent:main:telegram:group:123:topic",
    canonical: "agent:main:telegram:group:123:topic",
    kind: "group",
    agent: "main",
    channel: "telegram",
    scope: "123:topic",
  },
  {
    input: "agent:main:discord:group",
    canonical: "agent:main:discord:group",
    kind: "other",
    agent: "main",
    channel: "discord",
    scope: "group",
  },
  {
    input: "custom:other:session",
    canonical: "agent:main:custom:other:session",
    kind: "other",
    agent: "main",
    channel: "custom",
    scope: "other:session",
  },
  {
    input: "agent:main:discord:subagent:g1",
    canonical: "agent:main:discord:subagent:g1",
    kind: "other",
    agent: "main",
    channel: "discord",
    scope: "subagent:g1",
    subagent: true,
  },
  // "not subagent: no `:subagent:`" describes the input as written; its canonical form has one.
  {
    input: "subagent:x",
    canonical: "agent:main:subagent:x",
    kind: "other",
    agent: "main",
    channel: "subagent",
    scope: "x",
    subagent: false,
  },
  {
    input: "agent:main:whatsapp:out:+15550001111",
    canonical: "agent:main:whatsapp:out:+15550001111",
    kind: "other",
    agent: "main",
    channel: "whatsapp",
    scope: "out:+15550001111",
  },
  { input: "agent:ops", canonical: "agent:ops", kind: "other", agent: "ops" },
  { input: "agent:", canonical: "agent:", kind: "other", agent: "" },
  { input: "Agent:Ops:discord:group:g1", canonical: "Agent:Ops:discord:group:g1", kind: "other" },
  { input: "cron:daily", canonical: "cron:daily", kind: "cron", channel: "internal", scope: "daily" },
  { input: "CRON:daily", canonical: "CRON:daily", kind: "other" },
  { input: "hook:abc", canonical: "hook:abc", kind: "hook", channel: "internal", scope: "abc" },
  { input: "node-123", canonical: "node-123", kind: "node", channel: "internal", scope: "123" },
  { input: "abc", canonical: "abc", kind: "other" },
  { input: "x:y", canonical: "agent:main:x:y", kind: "other", agent: "main", channel: "x", scope: "y" },
];

for (const row of TABLE) {
  test(`§3.4 ${JSON.stringify(row.input)} → ${row.canonical} (${row.kind})`, () => {
    const canonical = canonicalSessionKey(row.input);
    assert.equal(canonical, row.canonical);
    const parsed = parseSessionKey(canonical);
    assert.equal(parsed.kind, row.kind);
    assert.equal(parsed.agentId, row.agent);
    assert.equal(parsed.channel, row.channel);
    assert.equal(parsed.scope, row.scope);
    assert.equal(parsed.topic, row.topic);
    if (row.subagent !== undefined) assert.equal(isSubagentKey(row.input), row.subagent);
    // Canonicalisation is idempotent: a canonical key is its own canonical form.
    assert.equal(canonicalSessionKey(canonical), canonical);
  });
}

test("§3.4 blank keys canonicalise to empty (missing)", () => {
  assert.equal(canonicalSessionKey(""), "");
  assert.equal(canonicalSessionKey("   "), "");
});

test("raw main parses as kind main with no agent id (decision events)", () => {
  const parsed = parseSessionKey("main");
  assert.equal(parsed.kind, "main");
  assert.equal(parsed.agentId, undefined);
});

test("rows carry upstream's five kinds; the seed's kind stays available", () => {
  const kind = (key: string) => upstreamSessionKind(key, parseSessionKey(key).kind);
  assert.equal(kind("agent:main:main"), "direct");
  assert.equal(kind("agent:main:capture-1"), "direct", "upstream shows a custom key as direct (captures)");
  assert.equal(kind("agent:main:discord:group:g1"), "group");
  assert.equal(kind("agent:main:slack:channel:C1"), "group");
  assert.equal(kind("cron:daily"), "cron");
  assert.equal(kind("global"), "global");
  assert.equal(kind("unknown"), "unknown");
});

test("one canonical key is one session for every method and for decisions", async () => {
  const { host } = await sessionsHost();
  await host.call("sessions.patch", { key: "main", label: "primary" });
  await host.call("sessions.send", { sessionKey: " MAIN ", message: "via alias" });
  await host.defender.evaluate({ id: "d-1", sessionKey: "main", tool: "exec", command: "git status" });
  await host.defender.evaluate({ id: "d-2", sessionKey: "agent:main:main", tool: "exec", command: "git status" });
  type List = { sessions: { key: string; totalRequests: number; label: string }[] };
  const list = await eventually(async () => {
    const result = (await host.call("sessions.list", {})) as List;
    return result.sessions[0]?.totalRequests === 2 && result;
  }, "both decisions recorded");
  assert.deepEqual(
    list.sessions.map((session) => session.key),
    ["agent:main:main"],
  );
  assert.equal(list.sessions[0]!.totalRequests, 2);
  assert.equal(list.sessions[0]!.label, "primary");
  const status = (await host.call("session.status", { sessionKey: "Main" })) as { session: { key: string } };
  assert.equal(status.session.key, "agent:main:main");
});

test("one bound for canonical keys: boundedSessionKey cuts exactly what isSessionKeyTooLong refuses", () => {
  const codePoints = (value: string) => [...value].length;
  const cases = [
    `discord:group:${"g".repeat(498)}`,
    `discord:group:${"g".repeat(487)}`,
    `discord:group:${"g".repeat(488)}`,
    `agent:ops:x:${"😀".repeat(600)}`,
    `discord:dm:${"é".repeat(700)}`,
    "x".repeat(5000),
    `main${" ".repeat(600)}x`,
    `agent:main:abc${" ".repeat(600)}x`,
    `cron:${"d".repeat(600)}`,
    "main",
    "global",
    "",
  ];
  for (const raw of cases) {
    const canonical = canonicalSessionKey(raw);
    const { key, truncated } = boundedSessionKey(raw);
    assert.equal(truncated, isSessionKeyTooLong(canonical), raw.slice(0, 40));
    assert.equal(truncated, codePoints(canonical) > SESSION_KEY_MAX_CHARS);
    if (!truncated) assert.equal(key, canonical);
    else assert.ok(canonical.startsWith(key) || key === "agent:main:main", "a cut keeps a prefix of the canonical key");
    assert.ok(codePoints(key) <= SESSION_KEY_MAX_CHARS);
    assert.equal(isSessionKeyTooLong(key), false);
    assert.equal(canonicalSessionKey(key), key, "the bounded key is its own canonical form");
    assert.ok(!/[\ud800-\udbff]$/.test(key), "never ends in half a surrogate pair");
  }
  assert.equal(boundedSessionKey(`discord:group:${"g".repeat(498)}`).key, `agent:main:discord:group:${"g".repeat(487)}`);
});
