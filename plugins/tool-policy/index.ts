/**
 * tool-policy: which tools an agent may use (profiles minimal/coding/messaging/full, groups,
 * allow/deny with wildcards, byProvider rules), read live from config. The seed's
 * `security.tool_runtime_policy` lands here. A denied tool gets a finding with a block floor,
 * whatever its score.
 */
import { STAGE, definePlugin, errorMessage, z } from "@talon/sdk";
import { modelOf } from "./model.ts";
import { compilePolicy, deniedBecause, type ToolPolicy } from "./policy.ts";

const PLUGIN_NAME = "tool-policy";

const ruleSchema = z.strictObject({
  profile: z.string().optional().describe("Profile for this provider or model: minimal, coding, messaging or full."),
  allow: z
    .array(z.string())
    .default([])
    .describe("Tools or groups (`group:fs`) allowed; `*` wildcards. Empty allows everything the profile allows."),
  deny: z.array(z.string()).default([]).describe("Tools or groups denied; deny wins."),
});

export const configSchema = z.strictObject({
  profile: z
    .string()
    .optional()
    .describe("Tool profile: minimal, coding, messaging or full (no filtering). Seed: `security.tool_runtime_policy.profile`."),
  allow: z.array(z.string()).default([]).describe("Tools or groups allowed (`*` wildcards; aliases such as bash → exec apply)."),
  deny: z.array(z.string()).default([]).describe("Tools or groups denied; deny always wins."),
  byProvider: z
    .record(z.string(), ruleSchema)
    .default({})
    .describe("Narrower rules per model provider (`openai`) or model (`openai/gpt-5`); the seed's `by_provider` lands here too."),
  alsoAllow: z.array(z.string()).default([]).describe("Tools allowed on top of any profile or allow list (upstream's `tools.alsoAllow`)."),
});

/** tool-policy's validated config. */
export type ToolPolicyConfig = z.output<typeof configSchema>;

function policyFrom(config: ToolPolicyConfig): ToolPolicy {
  return compilePolicy(config, config.alsoAllow, `plugins.entries.${PLUGIN_NAME}.config`);
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Tool profiles, groups, allow/deny and per-provider rules; a denied tool is blocked.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let policy = policyFrom(ctx.config);
    ctx.hooks.configReload.tap((change) => {
      try {
        policy = policyFrom(ctx.config);
      } catch (error) {
        ctx.log.warn(
          { code: "TALON_CONFIG_RELOAD_REJECTED", err: error },
          `tool policy not reloaded; keeping the previous one: ${errorMessage(error)}`,
        );
      }
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR }, (action, report) => {
      if (!action.tool || policy.open) return;
      const { provider, model } = modelOf(action);
      const why = deniedBecause(policy, action.tool, provider, model);
      if (!why) return;
      report.add({
        detector: PLUGIN_NAME,
        score: 0,
        floor: "block",
        tags: ["tool_policy_deny"],
        reasons: [`tool \`${action.tool}\` denied by runtime policy (${why})`],
        pattern: why,
      });
    });
  },
});
