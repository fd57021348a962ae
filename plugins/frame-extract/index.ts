/**
 * frame-extract: the generic frame extractor (seed-defender §2) as a plugin. Every event, every
 * request no handler answered and every untyped JSON frame becomes at most one action: the seed's
 * root selection, key search and admission rule, every text field collected, channels never
 * guessed. It taps `extract` at STAGE.HOST_POLICY; a plugin with a more precise extractor for one
 * frame taps earlier and replaces it (exec-approvals does), later taps add actions.
 */
import { definePlugin } from "@talon/sdk";
import { registerDefaultExtractor } from "./extract.ts";

const PLUGIN_NAME = "frame-extract";

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "The generic extractor: frames into actions (prompts, commands, URLs, files, every text field).",
  hostRange: "^0.1.0",
  setup(ctx) {
    // The host's directory: the known channels plus every loaded driver's ids and aliases.
    registerDefaultExtractor(ctx.hooks, ctx.channels.directory);
  },
});
