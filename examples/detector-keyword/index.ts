/**
 * detector-keyword: an example third-party detector written only against @talon/sdk. Load it
 * from a path (plugins.load = ["./examples/detector-keyword"]) and configure the words to flag:
 *
 *   [plugins.entries.detector-keyword.config.words]
 *   "project-phoenix" = 70      # block on its own with the default thresholds
 *   "salary" = 40               # review
 */
import { z } from "zod";
import { STAGE, definePlugin } from "@talon/sdk";
import { compileRules, matchRules } from "./rules.ts";

const PLUGIN_NAME = "detector-keyword";

/** Config of detector-keyword. */
export const configSchema = z.object({
  /** Keyword → risk points added when an action mentions it. */
  words: z.record(z.string().min(1), z.number().int().min(0).max(255)).default({}),
});

export default definePlugin({
  name: PLUGIN_NAME,
  version: "1.0.0",
  description: "Flags actions that mention configured keywords.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let rules = compileRules(ctx.config.words);
    ctx.hooks.configReload.tap(() => {
      rules = compileRules(ctx.config.words);
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR, filter: { fieldKind: ["prompt", "command", "text"] } }, (action, report) => {
      for (const { rule, field } of matchRules(rules, action.fields)) {
        report.add({
          detector: PLUGIN_NAME,
          score: rule.score,
          tags: ["keyword"],
          reasons: [`mentions the keyword "${rule.word}" in ${field.path}`],
          field: field.path,
          pattern: rule.word,
        });
      }
    });
  },
});
