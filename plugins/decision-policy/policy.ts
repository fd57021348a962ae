/**
 * The decision policy, pure: tool and channel risk bonuses, per-tool floors, thresholds and
 * audit-only mode (seed-defender §3.3 steps 4, 5, 7 and §3.7). Tool names are alias-normalised
 * on both sides (`bash` → `exec`), fixing seed §15 item 5; TOML keys are matched case-insensitively.
 */
import { maxVerdict, normalizeChannelId, normalizeToolName, type Action, type DecisionDraft, type Verdict } from "@talon/sdk";

export interface PolicySettings {
  reviewThreshold: number;
  blockThreshold: number;
  auditOnly: boolean;
  toolPolicies: ReadonlyMap<string, Verdict>;
  toolRiskBonus: ReadonlyMap<string, number>;
  channelRiskBonus: ReadonlyMap<string, number>;
}

const TITLE: Record<Verdict, string> = { allow: "Allow", review: "Review", block: "Block" };

/** Build maps keyed by normalised names; later keys win when two spellings collide. */
export function normalizeToolMap<T>(entries: Record<string, T>): Map<string, T> {
  return new Map(Object.entries(entries).map(([key, value]) => [normalizeToolName(key), value]));
}

export function normalizeChannelMap<T>(entries: Record<string, T>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [key, value] of Object.entries(entries)) {
    const id = normalizeChannelId(key);
    if (id) map.set(id, value);
  }
  return map;
}

/** The thresholds' verdict for a risk (audit-only is applied once, in `applyPolicy`). */
function classify(risk: number, settings: PolicySettings): Verdict {
  if (risk >= settings.blockThreshold) return "block";
  if (risk >= settings.reviewThreshold) return "review";
  return "allow";
}

/** Apply the policy to a draft. Pure: returns a new draft. */
export function applyPolicy(draft: DecisionDraft, action: Action, settings: PolicySettings): DecisionDraft {
  let risk = draft.risk;
  let floor = draft.action;
  const reasons = [...draft.reasons];
  const tags = [...draft.tags];
  if (action.tool) {
    const bonus = settings.toolRiskBonus.get(action.tool);
    if (bonus !== undefined) {
      risk += bonus;
      tags.push("tool_risk_bonus");
      reasons.push(`tool \`${action.tool}\` risk bonus +${bonus}`);
    }
    const policy = settings.toolPolicies.get(action.tool);
    if (policy !== undefined) {
      floor = maxVerdict(floor, policy);
      tags.push("tool_policy");
      reasons.push(`tool \`${action.tool}\` policy is ${TITLE[policy]}`);
    }
  }
  if (action.channel) {
    const bonus = settings.channelRiskBonus.get(action.channel);
    if (bonus !== undefined) {
      risk += bonus;
      tags.push("channel_risk_bonus");
      reasons.push(`channel \`${action.channel}\` risk bonus +${bonus}`);
    }
  }
  let verdict = maxVerdict(classify(risk, settings), floor);
  if (settings.auditOnly && verdict === "block") {
    verdict = "review";
    tags.push("audit_only");
    reasons.push(
      floor === "block" ? "audit_only enabled: policy block converted to review" : "audit_only enabled: block converted to review",
    );
  }
  return { action: verdict, risk, reasons, tags, classified: true };
}
