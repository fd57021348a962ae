/**
 * decision-policy: the trusted host policy on the `decide` hook. The thresholds and audit-only
 * mode are host keys (`security.review_threshold`, `block_threshold`, `runtime.audit_only`: the
 * host's own fail-closed path uses them too); the tool policies and the tool and channel bonuses
 * are this plugin's (the seed's `security.tool_policies`, `tool_risk_bonus`, `channel_risk_bonus`
 * land here). Read live. Contributes `talon policy sign|verify` for signed policy bundles.
 */
import { SEED_DEFAULTS, STAGE, definePlugin, z, type TalonConfig } from "@talon/sdk";
import { policyCommands } from "./cli.ts";
import { applyPolicy, normalizeChannelMap, normalizeToolMap, type PolicySettings } from "./policy.ts";

const PLUGIN_NAME = "decision-policy";

const u8 = z.number().int().min(0).max(255);

export const configSchema = z.strictObject({
  toolPolicies: z
    .record(z.string(), z.enum(["allow", "review", "block"]))
    .default({})
    .describe('Minimum verdict per tool, e.g. `{ gateway = "review" }`; aliases apply (`bash` is `exec`). Seed: `security.tool_policies`.'),
  toolRiskBonus: z
    .record(z.string(), u8)
    .default({ ...SEED_DEFAULTS.toolRiskBonus })
    .describe("Risk added per tool; giving the map replaces the defaults. Seed: `security.tool_risk_bonus`."),
  channelRiskBonus: z
    .record(z.string(), u8)
    .default({ ...SEED_DEFAULTS.channelRiskBonus })
    .describe("Risk added per channel (aliases apply); giving the map replaces the defaults. Seed: `security.channel_risk_bonus`."),
});

/** decision-policy's validated config. */
export type DecisionPolicyConfig = z.output<typeof configSchema>;

function settingsFrom(host: Readonly<TalonConfig>, config: DecisionPolicyConfig): PolicySettings {
  return {
    reviewThreshold: host.security.review_threshold,
    blockThreshold: host.security.block_threshold,
    auditOnly: host.runtime.audit_only,
    toolPolicies: normalizeToolMap(config.toolPolicies),
    toolRiskBonus: normalizeToolMap(config.toolRiskBonus),
    channelRiskBonus: normalizeChannelMap(config.channelRiskBonus),
  };
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Thresholds, per-tool floors, tool and channel risk bonuses, audit-only mode; signs policy bundles.",
  hostRange: "^0.1.0",
  configSchema,
  commands: policyCommands,
  setup(ctx) {
    let settings = settingsFrom(ctx.host.config, ctx.config);
    ctx.hooks.configReload.tap((change) => {
      settings = settingsFrom(change.next, ctx.config);
    });
    ctx.hooks.decide.tap({ stage: STAGE.HOST_POLICY }, (draft, action) => applyPolicy(draft, action, settings));
  },
});
