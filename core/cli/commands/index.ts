/** Every CLI command. Add a command by adding its file and one line here. */
import type { Command } from "../command.ts";
import { configValidateCommand } from "./config-validate.ts";
import { doctorCommand } from "./doctor.ts";
import { evalCommand } from "./eval.ts";
import { integrityCommands } from "./integrity.ts";
import { pluginsListCommand } from "./plugins-list.ts";
import { policyCommands } from "./policy.ts";
import { replayCommand } from "./replay.ts";
import { serveCommand } from "./serve.ts";

export const COMMANDS: readonly Command[] = [
  serveCommand,
  configValidateCommand,
  pluginsListCommand,
  doctorCommand,
  ...policyCommands,
  replayCommand,
  evalCommand,
  ...integrityCommands,
];
