/** Shape of a CLI command and the small argument helpers every command shares. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { TalonError } from "@talon/sdk";

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  /** Words that select it, e.g. `["config", "validate"]`. */
  path: readonly string[];
  summary: string;
  usage: string;
  /** Returns the exit code. Long-running commands resolve when they finish. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with Talon's usage errors; `--help` is handled by the caller. */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new TalonError("TALON_CLI_USAGE", `${(error as Error).message}\n\n${usage}`);
  }
}

export function requirePositional(positionals: string[], index: number, name: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined) throw new TalonError("TALON_CLI_USAGE", `missing ${name}\n\n${usage}`);
  return value;
}
