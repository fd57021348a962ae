import assert from "node:assert/strict";
import { test } from "node:test";
import { createRecord } from "./entry.ts";
import { applyPatch, checkSpawnRules, parsePatch, patchScope } from "./patch-rules.ts";

const refused = (params: Record<string, unknown>, message: string) =>
  assert.throws(
    () => parsePatch(params),
    (error: Error & { bareMessage?: string; code?: string }) => {
      assert.equal(error.code, "TALON_RPC_INVALID_PARAMS");
      assert.equal(error.bareMessage, message);
      return true;
    },
  );

const setValue = (params: Record<string, unknown>, field: string) => {
  const plan = parsePatch(params);
  const change =
    (plan.overrides as Record<string, { op: string; value?: string }>)[field] ??
    (plan as unknown as Record<string, { op: string; value?: string }>)[field];
  return change?.op === "set" ? change.value : change?.op;
};

test("enum fields accept their canonical sets (after norm) and refuse the rest with the seed's words", () => {
  assert.equal(setValue({ sendPolicy: " ALLOW " }, "sendPolicy"), "allow");
  assert.equal(setValue({ send_policy: "deny" }, "sendPolicy"), "deny");
  refused({ sendPolicy: "inherit" }, "sendPolicy must be allow|deny|null");
  refused({ sendPolicy: 1 }, "sendPolicy must be string or null");
  assert.equal(setValue({ groupActivation: "Mention" }, "groupActivation"), "mention");
  refused({ groupActivation: "sometimes" }, "groupActivation must be mention|always|null");
  assert.equal(setValue({ queueMode: "collect" }, "queueMode"), "collect");
  refused({ queue_mode: "interrupt" }, "queueMode must be followup|steer|collect|null");
  assert.equal(setValue({ execHost: "node" }, "execHost"), "node");
  refused({ execHost: "vm" }, "execHost must be sandbox|gateway|node|null");
  assert.equal(setValue({ execSecurity: "allowlist" }, "execSecurity"), "allowlist");
  refused({ execSecurity: "open" }, "execSecurity must be deny|allowlist|full|null");
  assert.equal(setValue({ exec_ask: "on-miss" }, "execAsk"), "on-miss");
  refused({ execAsk: "never" }, "execAsk must be off|on-miss|always|null");
});

test("level synonyms map to the canonical values", () => {
  const thinking: [string, string][] = [
    ["x-high", "xhigh"],
    ["extra high", "xhigh"],
    ["EXTRA_HIGH", "xhigh"],
    ["off", "off"],
    ["on", "low"],
    ["enabled", "low"],
    ["min", "minimal"],
    ["think", "minimal"],
    ["think-hard", "low"],
    ["thinkharder", "medium"],
    ["med", "medium"],
    ["harder", "medium"],
    ["ultrathink", "high"],
    ["max", "high"],
    ["highest", "high"],
  ];
  for (const [input, expected] of thinking) assert.equal(setValue({ thinkingLevel: input }, "thinkingLevel"), expected, input);
  refused({ thinkingLevel: "extreme" }, "thinkingLevel must be off|minimal|low|medium|high|xhigh|null");
  for (const [input, expected] of [
    ["no", "off"],
    ["everything", "full"],
    ["yes", "on"],
    ["minimal", "on"],
  ])
    assert.equal(setValue({ verboseLevel: input }, "verboseLevel"), expected);
  refused({ verboseLevel: "loud" }, "verboseLevel must be on|off|full|null");
  assert.equal(setValue({ reasoningLevel: "hidden" }, "reasoningLevel"), "clear", "off-like reasoning clears");
  assert.equal(setValue({ reasoningLevel: "visible" }, "reasoningLevel"), "on");
  assert.equal(setValue({ reasoningLevel: "draft" }, "reasoningLevel"), "stream");
  refused({ reasoningLevel: "maybe" }, "reasoningLevel must be on|off|stream|null");
  assert.equal(setValue({ responseUsage: "off" }, "responseUsage"), "clear");
  assert.equal(setValue({ responseUsage: "tok" }, "responseUsage"), "tokens");
  assert.equal(setValue({ responseUsage: "session" }, "responseUsage"), "full");
  refused({ responseUsage: "some" }, "responseUsage must be off|tokens|full|on|null");
  assert.equal(setValue({ elevatedLevel: "no" }, "elevatedLevel"), "off", "elevated off is stored, not cleared");
  assert.equal(setValue({ elevatedLevel: "auto-approve" }, "elevatedLevel"), "full");
  assert.equal(setValue({ elevatedLevel: "approval" }, "elevatedLevel"), "ask");
  refused({ elevatedLevel: "root" }, "elevatedLevel must be on|off|ask|full|null");
});

test("free-text fields: trimmed, non-empty, character limits, null clears", () => {
  assert.equal(setValue({ label: "  Ops desk  " }, "label"), "Ops desk");
  assert.equal(setValue({ label: null }, "label"), "clear");
  refused({ label: "   " }, "label cannot be empty");
  refused({ label: "x".repeat(65) }, "label too long (max 64)");
  assert.equal(setValue({ label: "é".repeat(64) }, "label"), "é".repeat(64), "64 characters pass even at 128 bytes");
  refused({ label: 7 }, "label must be string or null");
  refused({ spawnedBy: "y".repeat(129) }, "spawnedBy too long (max 128)");
  refused({ execNode: "" }, "execNode cannot be empty");
  refused({ execNode: "n".repeat(65) }, "execNode too long (max 64)");
  refused({ spawnDepth: -1 }, "spawnDepth must be a non-negative integer or null");
  refused({ spawnDepth: 1.5 }, "spawnDepth must be a non-negative integer or null");
  refused({ spawnDepth: "2" }, "spawnDepth must be a non-negative integer or null");
  assert.equal(parsePatch({ spawnDepth: 4294967295 }).spawnDepth?.op, "set");
});

test("model splits provider/model; a bare model clears the provider; null clears both", () => {
  const both = parsePatch({ model: " openai / gpt-x " });
  assert.deepEqual(both.overrides.providerOverride, { op: "set", value: "openai" });
  assert.deepEqual(both.overrides.modelOverride, { op: "set", value: "gpt-x" });
  const bare = parsePatch({ model: "sonnet" });
  assert.deepEqual(bare.overrides.providerOverride, { op: "clear" });
  assert.deepEqual(parsePatch({ model: null }).overrides.modelOverride, { op: "clear" });
  refused({ model: "openai/" }, "model must be 'provider/model' or 'model'");
  refused({ model: " " }, "model cannot be empty");
});

test("validation follows the seed's field order: the first failing field is reported", () => {
  refused({ model: "", sendPolicy: "bad", label: "" }, "sendPolicy must be allow|deny|null");
  refused({ label: "", thinkingLevel: "bad" }, "label cannot be empty");
});

test("a field and its alias together are refused instead of one silently winning", () => {
  refused({ sendPolicy: "allow", send_policy: "deny" }, "sendPolicy and send_policy are the same field; send one");
});

test("spawn rules: subagent sessions only, never cleared or changed once set", () => {
  const subagent = "agent:main:discord:subagent:g1";
  const fresh = createRecord(subagent, "sess-1", 0);
  checkSpawnRules(subagent, fresh, parsePatch({ spawnedBy: "parent", spawnDepth: 1 }));
  const rules = (key: string, rec: ReturnType<typeof createRecord> | undefined, params: Record<string, unknown>) => () =>
    checkSpawnRules(key, rec, parsePatch(params));
  assert.throws(rules("agent:main:main", undefined, { spawnedBy: "parent" }), /spawnedBy is only supported for subagent sessions/);
  assert.throws(rules("agent:main:main", undefined, { spawnDepth: 2 }), /spawnDepth is only supported for subagent sessions/);
  const set = applyPatch(fresh, parsePatch({ spawnedBy: "Parent", spawnDepth: 1 }));
  checkSpawnRules(subagent, set, parsePatch({ spawnedBy: "parent", spawnDepth: 1 }));
  assert.throws(rules(subagent, set, { spawnedBy: null }), /spawnedBy cannot be cleared once set/);
  assert.throws(rules(subagent, set, { spawnedBy: "other" }), /spawnedBy cannot be changed once set/);
  assert.throws(rules(subagent, set, { spawnDepth: null }), /spawnDepth cannot be cleared once set/);
  assert.throws(rules(subagent, set, { spawnDepth: 2 }), /spawnDepth cannot be changed once set/);
  checkSpawnRules("agent:main:main", undefined, parsePatch({ spawnedBy: null }));
});

test("applyPatch changes a copy: keep, clear and set", () => {
  const rec = applyPatch(createRecord("agent:main:main", "sess-1", 0), parsePatch({ label: "a", queueMode: "steer", model: "p/m" }));
  const next = applyPatch(rec, parsePatch({ label: null, thinkingLevel: "high" }));
  assert.equal(rec.label, "a", "the original is untouched");
  assert.equal(next.label, undefined);
  assert.equal(next.queueMode, "steer");
  assert.equal(next.thinkingLevel, "high");
  assert.equal(next.providerOverride, "p");
});

test("upstream's dynamic scope: label/model/thinking need write, routing and exec fields admin", () => {
  assert.equal(patchScope({ key: "main", label: "x" }), "operator.write");
  assert.equal(patchScope({ key: "main", model: "m", thinkingLevel: "low", expectedSessionId: "s" }), "operator.write");
  assert.equal(patchScope({ key: "main", sendPolicy: "deny" }), "operator.admin");
  assert.equal(patchScope({ key: "main", execHost: "node" }), "operator.admin");
  assert.equal(patchScope({ key: "main", permissionMode: "full" }), "operator.admin");
});
