import assert from "node:assert/strict";
import { test } from "node:test";
import { isTalonError, normalizeToolName } from "@talon/sdk";
import { compilePolicy, deniedBecause, wildcardMatch } from "./policy.ts";

const allowed = (policy: ReturnType<typeof compilePolicy>, tool: string, provider?: string, model?: string) =>
  deniedBecause(policy, tool, provider, model) === undefined;

test("the default policy allows everything", () => {
  const policy = compilePolicy({});
  assert.equal(policy.open, true);
  assert.ok(allowed(policy, "exec"));
});

test("profiles: minimal, coding, messaging, full", () => {
  const minimal = compilePolicy({ profile: "minimal" });
  assert.ok(allowed(minimal, "session_status") && !allowed(minimal, "exec"));
  const coding = compilePolicy({ profile: "Coding" });
  for (const tool of [
    "read",
    "write",
    "edit",
    "apply_patch",
    "exec",
    "bash",
    "process",
    "web_fetch",
    "memory_get",
    "sessions_list",
    "image",
  ])
    assert.ok(allowed(coding, tool), tool);
  for (const tool of ["browser", "message", "nodes", "gateway"]) assert.ok(!allowed(coding, tool), tool);
  const messaging = compilePolicy({ profile: "messaging" });
  assert.ok(allowed(messaging, "message") && allowed(messaging, "session_status") && !allowed(messaging, "exec"));
  assert.ok(allowed(compilePolicy({ profile: "full" }), "anything_at_all"));
});

test("an unknown profile is a config error naming the key", () => {
  assert.throws(
    () => compilePolicy({ profile: "codng" }),
    (error) =>
      isTalonError(error) && error.code === "TALON_CONFIG_INVALID" && error.message.includes("security.tool_runtime_policy.profile"),
  );
  assert.throws(() => compilePolicy({ byProvider: { openai: { profile: "nope" } } }), /byProvider\.openai\.profile/);
});

test("aliases apply to the tool and to every policy entry (seed §15 item 5)", () => {
  assert.equal(normalizeToolName(" Bash "), "exec");
  assert.equal(normalizeToolName("apply-patch"), "apply_patch");
  assert.equal(normalizeToolName("Automations"), "cron", "upstream's alias is the SDK's, so core and every plugin agree");
  assert.ok(!allowed(compilePolicy({ deny: ["automations"] }), "cron") && !allowed(compilePolicy({ deny: ["cron"] }), "automations"));
  for (const entry of ["bash", "Bash", "exec"]) {
    const policy = compilePolicy({ deny: [entry] });
    assert.ok(!allowed(policy, "exec") && !allowed(policy, "bash") && !allowed(policy, "BASH"), entry);
  }
  assert.ok(!allowed(compilePolicy({ deny: ["apply-patch"] }), "apply_patch"));
});

test("groups, wildcards, deny beats allow, allow narrows, exec allows apply_patch", () => {
  assert.ok(!allowed(compilePolicy({ deny: ["group:runtime"] }), "process"));
  assert.ok(!allowed(compilePolicy({ deny: ["sessions_*"] }), "sessions_send"));
  assert.ok(allowed(compilePolicy({ deny: ["sessions_*"] }), "session_status"));
  assert.ok(!allowed(compilePolicy({ allow: ["exec"], deny: ["exec"] }), "exec"));
  assert.ok(!allowed(compilePolicy({ profile: "minimal", allow: ["exec"] }), "exec"), "allow cannot widen a profile");
  assert.ok(allowed(compilePolicy({ profile: "minimal" }, ["exec"]), "exec"), "alsoAllow can");
  assert.ok(allowed(compilePolicy({ allow: ["exec"] }), "apply_patch"));
  assert.ok(wildcardMatch("a*b*c", "axxbyyc") && !wildcardMatch("a*b*c", "axxcyyb") && wildcardMatch("*_get", "memory_get"));
});

test("byProvider: provider/model beats provider, keys are case-insensitive, a rule only narrows", () => {
  const policy = compilePolicy({ byProvider: { OpenAI: { deny: ["exec"] }, "openai/gpt-5": { deny: ["browser"] } } });
  assert.ok(!allowed(policy, "exec", "openai"));
  assert.ok(allowed(policy, "exec", "openai", "gpt-5"), "the model rule replaces the provider rule");
  assert.ok(!allowed(policy, "browser", "OpenAI", "GPT-5"));
  assert.ok(!allowed(policy, "browser", undefined, "openai/gpt-5"), "a model id with / is used as is");
  assert.ok(allowed(policy, "exec", "anthropic"));
  assert.match(deniedBecause(policy, "exec", "openai")!, /byProvider\.OpenAI allow\/deny denies `exec`/);
});
