/**
 * The `talon` command line. `talon` alone runs `serve`. Exit codes are in exit-codes.ts and the
 * README.
 */
import { errorMessage, isTalonError } from "@talon/sdk";
import { TALON_VERSION } from "../host.ts";
import type { Command, CommandIO } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.path.join(" ").length));
  return [
    `talon ${TALON_VERSION}: security host for OpenClaw gateways`,
    "",
    "Usage: talon [command] [options]     (no command runs `serve`)",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.path.join(" ").padEnd(width)}  ${command.summary}`),
    "",
    "Run `talon <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 config, 4 plugin, 5 store, 6 gateway listen, 7 check failed.",
  ].join("\n");
}

/** Pick the command whose path is the longest prefix of argv. */
function select(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of COMMANDS) {
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
  if (argv.length === 0 || argv[0]!.startsWith("-")) {
    if (argv[0] === "--help" || argv[0] === "-h") {
      io.out(help());
      return EXIT.OK;
    }
    argv = ["serve", ...argv];
  }
  const selected = select(argv);
  if (!selected) {
    const group = COMMANDS.filter((command) => command.path[0] === argv[0]);
    io.err(
      group.length > 0
        ? `unknown ${argv[0]} command: ${argv.slice(1).join(" ") || "(none)"}\n\n${help()}`
        : `unknown command: ${argv[0]}\n\n${help()}`,
    );
    return EXIT.USAGE;
  }
  try {
    return await selected.command.run(selected.rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    if (isTalonError(error)) io.err(`talon: ${error.code}: ${error.bareMessage}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
    else io.err(`talon: unexpected error: ${errorMessage(error)}${error instanceof Error && error.stack ? `\n${error.stack}` : ""}`);
    return code;
  }
}
