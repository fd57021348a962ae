/**
 * tool-policy: `security.tool_runtime_policy` (profiles minimal/coding/messaging/full, groups,
 * allow/deny with wildcards, byProvider rules), read live from config. A denied tool gets a
 * finding with a block floor, whatever its score.
 */
import { z } from "zod";
import { STAGE, definePlugin, errorMessage, type TalonConfig } from "@talon/sdk";
import { modelOf } from "./model.ts";
import { compilePolicy, deniedBecause, type ToolPolicy } from "./policy.ts";

const PLUGIN_NAME = "tool-policy";

export const configSchema = z.strictObject({
  /** Tools allowed on top of any profile or allow list (upstream's `tools.alsoAllow`). */
  alsoAllow: z.array(z.string()).default([]),
});

/** tool-policy's validated config. */
export type ToolPolicyConfig = z.output<typeof configSchema>;

function policyFrom(config: Readonly<TalonConfig>, plugin: ToolPolicyConfig): ToolPolicy {
  return compilePolicy(config.security.tool_runtime_policy, plugin.alsoAllow);
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Tool profiles, groups, allow/deny and per-provider rules; a denied tool is blocked.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let policy = policyFrom(ctx.host.config, ctx.config);
    ctx.hooks.configReload.tap((change) => {
      try {
        policy = policyFrom(change.next, ctx.config);
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
