/** `talon config validate FILE`: check a config file without starting anything. */
import { isTalonError } from "@talon/sdk";
import { loadConfig } from "../../config/load.ts";
import type { ConfigIssue } from "../../config/validate.ts";
import { parseFlags, requirePositional, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

const USAGE = `Usage: talon config validate FILE

Check FILE (TOML, JSON or talon.config.ts) against the config schema, with environment overrides
applied. Prints every problem with its key path and a hint; exits 3 if there is any.`;

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
      io.out(`${loaded.file}: valid (mode ${loaded.config.gateway.runtime_mode}, bind ${loaded.config.gateway.server.bind})`);
      for (const applied of loaded.appliedEnv) io.out(`  env ${applied.variable} -> ${applied.path}`);
      return EXIT.OK;
    } catch (error) {
      if (!isTalonError(error)) throw error;
      const issues = error.details?.issues as ConfigIssue[] | undefined;
      if (issues) {
        io.err(`${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`);
        for (const issue of issues) io.err(`  ${issue.path}: ${issue.message}\n    hint: ${issue.hint}`);
      } else {
        io.err(`${file}: ${error.bareMessage}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
      }
      return EXIT.CONFIG;
    }
  },
};
