/** `talon config validate FILE`: check a config file without starting anything. */
import { isTalonError } from "@talon/sdk";
import { loadConfig } from "../../config/load.ts";
import type { ConfigIssue } from "../../config/validate.ts";
import { checkPluginConfigs } from "../../loader/check-configs.ts";
import { parseFlags, requirePositional, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

const USAGE = `Usage: talon config validate FILE

Check FILE (TOML, JSON or talon.config.ts) against the host's config schema, with environment
overrides applied, then each configured plugin's settings against that plugin's own schema (the
seed's plugin keys included). Prints every problem with its key path and a hint; exits 3 if there
is any.`;

function report(io: { err(text: string): void }, file: string, issues: readonly ConfigIssue[]): number {
  io.err(`${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`);
  for (const issue of issues) io.err(`  ${issue.path}: ${issue.message}\n    hint: ${issue.hint}`);
  return EXIT.CONFIG;
}

export const configValidateCommand: Command = {
  path: ["config", "validate"],
  summary: "check a config file and list every problem",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {}, USAGE);
    if (values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const file = requirePositional(positionals, 0, "FILE", USAGE);
    try {
      const loaded = await loadConfig({ file, env: io.env, cwd: io.cwd });
      const pluginIssues = await checkPluginConfigs(loaded);
      if (pluginIssues.length > 0) return report(io, file, pluginIssues);
      io.out(`${loaded.file}: valid (mode ${loaded.config.gateway.runtime_mode}, bind ${loaded.config.gateway.server.bind})`);
      for (const applied of loaded.appliedEnv) io.out(`  env ${applied.variable} -> ${applied.path}`);
      return EXIT.OK;
    } catch (error) {
      if (!isTalonError(error)) throw error;
      const issues = error.details?.issues as ConfigIssue[] | undefined;
      if (issues) return report(io, file, issues);
      io.err(`${file}: ${error.bareMessage}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
      return EXIT.CONFIG;
    }
  },
};
