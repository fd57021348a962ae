/**
 * tool-params: a tool call whose model-supplied params try to lower security settings (elevation,
 * sandbox or approvals off, the gateway host instead of the sandbox, permissive modes, TLS checks
 * off, loader-changing environment) is itself a finding. Reads the params of a tool call in the
 * form `security.evaluate` takes them (`{ tool, params }`); unknown keys are never refused.
 */
import { STAGE, definePlugin } from "@talon/sdk";
import { configSchema } from "./config.ts";
import { findLoweringParams } from "./rules.ts";

const PLUGIN_NAME = "tool-params";

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Model-supplied tool params that lower security settings (elevated, sandbox off, approvals off, host=gateway).",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR }, (action, report) => {
      if (action.tool === undefined) return;
      const raw = action.raw as { params?: unknown } | null;
      if (typeof raw !== "object" || raw === null || typeof raw.params !== "object" || raw.params === null) return;
      const hits = findLoweringParams(action.tool, raw.params);
      let budget = ctx.config.max_score;
      for (const hit of hits) {
        const score = Math.min(ctx.config.score, budget);
        budget -= score;
        report.add({
          detector: PLUGIN_NAME,
          score,
          tags: ["security_param"],
          reasons: [hit.reason],
          field: hit.path,
          pattern: "security_param",
        });
      }
    });
  },
});
