/**
 * defender-prompt: prompt-injection detection on every text field of an action. The seed's
 * pattern families and config key (`security.prompt_injection_patterns`, now this plugin's `promptInjectionPatterns`), plus normalisation,
 * decoding of embedded blobs and Talon's own rule families (families.ts). Read live from config.
 */
import { STAGE, definePlugin, errorMessage } from "@talon/sdk";
import { buildSettings, configSchema, fieldKindSet } from "./config.ts";
import { scanPrompt, type ScanField } from "./scan.ts";

const PLUGIN_NAME = "defender-prompt";

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Prompt-injection detection with normalisation and decoding, on every text field.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let settings = buildSettings(PLUGIN_NAME, ctx.config);
    let kinds = fieldKindSet(ctx.config);
    ctx.hooks.configReload.tap((change) => {
      try {
        settings = buildSettings(PLUGIN_NAME, ctx.config);
        kinds = fieldKindSet(ctx.config);
      } catch (error) {
        ctx.log.warn(
          { code: "TALON_CONFIG_RELOAD_REJECTED", err: error },
          `prompt patterns not reloaded; keeping the previous ones: ${errorMessage(error)}`,
        );
      }
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR, filter: { fieldKind: [...kinds] } }, (action, report) => {
      const fields: ScanField[] = [];
      for (const field of action.fields) if (kinds.has(field.kind)) fields.push(field);
      for (const finding of scanPrompt(fields, settings)) report.add(finding);
    });
  },
});
