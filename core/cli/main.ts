/**
 * The `talon` command line. `talon` alone runs `serve`. The host's own commands come first; any
 * other command is looked up among the plugins' (`definePlugin({ commands })`), which is also
 * what `talon --help` lists. Exit codes are `EXIT` in the SDK and the README.
 */
import { errorMessage, isTalonError } from "@talon/sdk";
import { TALON_VERSION } from "../version.ts";
import type { Command, CommandIO } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { discoverPluginCommands } from "./plugin-commands.ts";

function help(commands: readonly Command[], problems: readonly string[] = []): string {
  const width = Math.max(...commands.map((command) => command.path.join(" ").length));
  return [
    `talon ${TALON_VERSION}: security host for OpenClaw gateways`,
    "",
    "Usage: talon [command] [options]     (no command runs `serve`)",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.path.join(" ").padEnd(width)}  ${command.summary}`),
    "",
    ...problems.map((problem) => `note: ${problem}`),
    ...(problems.length > 0 ? [""] : []),
    "Run `talon <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 config, 4 plugin, 5 store, 6 gateway listen, 7 check failed.",
  ].join("\n");
}

/** Pick the command whose path is the longest prefix of argv. */
function select(commands: readonly Command[], argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => argv[index] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.out(TALON_VERSION);
    return EXIT.OK;
  }
  const reserved = COMMANDS.map((command) => command.path.join(" "));
  if (argv.length === 0 || argv[0]!.startsWith("-")) {
    if (argv[0] === "--help" || argv[0] === "-h") {
      const plugins = await discoverPluginCommands(argv, io, reserved);
      io.out(help([...COMMANDS, ...plugins.commands], plugins.problems));
      return EXIT.OK;
    }
    argv = ["serve", ...argv];
  }
  try {
    let selected = select(COMMANDS, argv);
    if (!selected) {
      const plugins = await discoverPluginCommands(argv, io, reserved);
      const all = [...COMMANDS, ...plugins.commands];
      selected = select(all, argv);
      if (!selected) {
        const group = all.filter((command) => command.path[0] === argv[0]);
        io.err(
          group.length > 0
            ? `unknown ${argv[0]} command: ${argv.slice(1).join(" ") || "(none)"}\n\n${help(all, plugins.problems)}`
            : `unknown command: ${argv[0]}\n\n${help(all, plugins.problems)}`,
        );
        return EXIT.USAGE;
      }
    }
    return await selected.command.run(selected.rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    if (isTalonError(error)) io.err(`talon: ${error.code}: ${error.bareMessage}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
    else io.err(`talon: unexpected error: ${errorMessage(error)}${error instanceof Error && error.stack ? `\n${error.stack}` : ""}`);
    return code;
  }
}
