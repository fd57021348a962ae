/**
 * defender-command: command risk with a real shell parser (tree-sitter-bash). Every command
 * field of an action is parsed and every segment judged, recursively through `sh -c`, `eval`,
 * substitutions and decoded payloads. Keeps the seed's keys (`security.blocked_command_patterns`,
 * `security.allowed_command_prefixes`, now this plugin's), read live from config.
 */
import { STAGE, definePlugin, errorMessage, type Finding } from "@talon/sdk";
import { analyzeCode, analyzeCommand } from "./analyze.ts";
import { buildSettings, configSchema } from "./config.ts";
import { toFindings, toTextFindings, unlistedCommands } from "./findings.ts";
import { loadShellParser, type ShellParser } from "./parser.ts";
import { findCode } from "./text.ts";

const PLUGIN_NAME = "defender-command";

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Command risk: every segment of every command, parsed with tree-sitter-bash.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    // The wasm parser (~100 ms, ~8 MB) loads when the first command arrives, so start-up and
    // deployments that never see commands do not pay for it. If it cannot load, command taps
    // fail closed (the host contains the error and forces the fail-closed verdict).
    let parser: ShellParser | undefined;
    let ready: Promise<void> | undefined;
    const load = () =>
      loadShellParser().then(
        (loaded) => {
          parser = loaded;
        },
        (error) => {
          ready = undefined;
          ctx.log.error({ err: error }, `the shell parser failed to load; command actions fail closed: ${errorMessage(error)}`);
          throw error;
        },
      );
    let settings = buildSettings(PLUGIN_NAME, ctx.config);
    ctx.hooks.configReload.tap((change) => {
      try {
        settings = buildSettings(PLUGIN_NAME, ctx.config);
      } catch (error) {
        ctx.log.warn(
          { code: "TALON_CONFIG_RELOAD_REJECTED", err: error },
          `command patterns not reloaded; keeping the previous ones: ${errorMessage(error)}`,
        );
      }
    });
    ctx.hooks.score.tapPromise({ stage: STAGE.DETECTOR, filter: { fieldKind: "command" } }, async (action, report) => {
      if (!parser) await (ready ??= load());
      const seen = new Set<string>();
      for (const field of action.fields) {
        if (field.kind !== "command" || seen.has(field.value) || field.value.trim() === "") continue;
        seen.add(field.value);
        const analysis = analyzeCommand(parser!, field.value, settings.analyzer);
        const findings: Finding[] = toFindings(analysis.hits, field.path, settings.findings);
        if (settings.unlistedScore > 0 && settings.allowPrefixes.length > 0) {
          const unlisted = unlistedCommands(analysis.segments, settings.allowPrefixes);
          if (unlisted.length > 0) {
            findings.push({
              detector: PLUGIN_NAME,
              score: settings.unlistedScore,
              tags: ["not_in_allowlist"],
              reasons: [`command prefix not in allowlist: ${unlisted.slice(0, 3).join("; ")}`],
              field: field.path,
              pattern: "not_in_allowlist",
            });
          }
        }
        for (const finding of findings) report.add(finding);
      }
    });
    // Code inside text (part of issue 10): fenced shell blocks, `$ command` lines and interpreter
    // calls in prompts, messages and tool results go through the same command model.
    ctx.hooks.score.tapPromise({ stage: STAGE.DETECTOR, filter: { fieldKind: ["prompt", "text"] } }, async (action, report) => {
      const textCode = settings.textCode;
      if (!textCode) return;
      const seen = new Set<string>();
      for (const field of action.fields) {
        if ((field.kind !== "prompt" && field.kind !== "text") || seen.has(field.value)) continue;
        seen.add(field.value);
        const snippets = findCode(field.value, textCode);
        if (snippets.length === 0) continue;
        if (!parser) await (ready ??= load());
        for (const snippet of snippets) {
          const analysis =
            snippet.language === "shell"
              ? analyzeCommand(parser!, snippet.code, settings.analyzer)
              : analyzeCode(parser!, snippet.code, snippet.language, settings.analyzer);
          for (const finding of toTextFindings(
            analysis.hits,
            field.path,
            settings.findings,
            textCode.severity,
            `${snippet.where} in ${field.path}`,
          ))
            report.add(finding);
        }
      }
    });
  },
});
