import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Action, DecisionDraft } from "@talon/sdk";
import { applyPolicy, normalizeChannelMap, normalizeToolMap, type PolicySettings } from "./policy.ts";

const settings = (extra: Partial<PolicySettings> = {}): PolicySettings => ({
  reviewThreshold: 35,
  blockThreshold: 65,
  auditOnly: false,
  toolPolicies: normalizeToolMap({ browser: "review" }),
  toolRiskBonus: normalizeToolMap({ exec: 20, bash: 20, browser: 8 }),
  channelRiskBonus: normalizeChannelMap({ discord: 10, webchat: 8 }),
  ...extra,
});
const draft = (risk: number, action: DecisionDraft["action"] = "allow"): DecisionDraft => ({
  action,
  risk,
  reasons: [],
  tags: [],
  classified: false,
});
const action = (tool?: string, channel?: string) => ({ tool, channel }) as Action;

describe("decision policy (seed-defender §3.3, §3.7)", () => {
  test("the seed's worked examples", () => {
    const safe = applyPolicy(draft(0), action("exec", "discord"), settings());
    assert.deepEqual([safe.action, safe.risk, safe.tags], ["allow", 30, ["tool_risk_bonus", "channel_risk_bonus"]]);
    assert.deepEqual(safe.reasons, ["tool `exec` risk bonus +20", "channel `discord` risk bonus +10"]);
    const destructive = applyPolicy(draft(100), action("exec", "discord"), settings());
    assert.equal(destructive.action, "block");
    const browser = applyPolicy(draft(0), action("browser", "webchat"), settings());
    assert.deepEqual(
      [browser.action, browser.risk, browser.tags],
      ["review", 16, ["tool_risk_bonus", "tool_policy", "channel_risk_bonus"]],
    );
    assert.ok(browser.reasons.includes("tool `browser` policy is Review"));
    assert.ok(safe.classified && browser.classified);
  });

  test("tool names are alias-normalised on both sides (seed §15 item 5)", () => {
    const policy = settings({ toolPolicies: normalizeToolMap({ Bash: "block", "apply-patch": "review" }) });
    assert.equal(applyPolicy(draft(0), action("exec"), policy).action, "block", "a policy for Bash covers the exec tool");
    assert.equal(applyPolicy(draft(0), action("apply_patch"), policy).action, "review");
  });

  test("a floor from the findings is kept; thresholds classify the uncapped sum", () => {
    assert.equal(applyPolicy(draft(0, "block"), action(), settings()).action, "block");
    assert.equal(applyPolicy(draft(34), action(), settings()).action, "allow");
    assert.equal(applyPolicy(draft(35), action(), settings()).action, "review");
    assert.equal(applyPolicy(draft(65), action(), settings()).action, "block");
  });

  test("audit-only turns blocks into reviews, tagged once", () => {
    const scored = applyPolicy(draft(90), action(), settings({ auditOnly: true }));
    assert.equal(scored.action, "review");
    assert.deepEqual(scored.tags, ["audit_only"]);
    assert.deepEqual(scored.reasons, ["audit_only enabled: block converted to review"]);
    const floored = applyPolicy(draft(0, "block"), action(), settings({ auditOnly: true }));
    assert.equal(floored.action, "review");
    assert.deepEqual(floored.reasons, ["audit_only enabled: policy block converted to review"]);
  });
});
