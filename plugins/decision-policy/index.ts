/**
 * decision-policy: the trusted host policy on the `decide` hook. Reads the seed's keys
 * (`security.review_threshold`, `block_threshold`, `tool_policies`, `tool_risk_bonus`,
 * `channel_risk_bonus`, `runtime.audit_only`) from the host config, live.
 */
import { STAGE, definePlugin, type TalonConfig } from "@talon/sdk";
import { applyPolicy, normalizeChannelMap, normalizeToolMap, type PolicySettings } from "./policy.ts";

const PLUGIN_NAME = "decision-policy";

function settingsFrom(config: TalonConfig): PolicySettings {
  return {
    reviewThreshold: config.security.review_threshold,
    blockThreshold: config.security.block_threshold,
    auditOnly: config.runtime.audit_only,
    toolPolicies: normalizeToolMap(config.security.tool_policies),
    toolRiskBonus: normalizeToolMap(config.security.tool_risk_bonus),
    channelRiskBonus: normalizeChannelMap(config.security.channel_risk_bonus),
  };
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Thresholds, per-tool floors, tool and channel risk bonuses, audit-only mode.",
  hostRange: "^0.1.0",
  setup(ctx) {
    let settings = settingsFrom(ctx.host.config);
    ctx.hooks.configReload.tap((change) => {
      settings = settingsFrom(change.next);
    });
    ctx.hooks.decide.tap({ stage: STAGE.HOST_POLICY }, (draft, action) => applyPolicy(draft, action, settings));
  },
});
