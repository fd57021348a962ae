/** The host's own CLI commands; plugins add theirs with `definePlugin({ commands })`. */
import type { Command } from "../command.ts";
import { configValidateCommand } from "./config-validate.ts";
import { doctorCommand } from "./doctor.ts";
import { evalCommand } from "./eval.ts";
import { pluginsListCommand } from "./plugins-list.ts";
import { serveCommand } from "./serve.ts";

export const COMMANDS: readonly Command[] = [serveCommand, configValidateCommand, pluginsListCommand, doctorCommand, evalCommand];
