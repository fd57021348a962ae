/**
 * CLI commands a plugin contributes: `talon <path...> [options]`. A plugin lists them in
 * `definePlugin({ commands })`; `talon --help` shows them next to the host's own commands, and
 * `talon <path> --help` prints the command's `usage`. The host parses flags (node:util
 * `parseArgs` rules, `--help`/`-h` always accepted), turns a thrown error into its documented
 * exit code, and lends the command a host when it needs one (`ctx.withHost`).
 *
 * @example
 * defineCommand({
 *   path: ["integrity", "status"], summary: "check protected files", usage: "Usage: talon integrity status [--json]",
 *   options: { json: { type: "boolean" } },
 *   async run({ values }, ctx) {
 *     const result = await ctx.withHost({}, (host) => host.call("security.integrity.status"));
 *     ctx.out(values.json ? JSON.stringify(result) : "ok");
 *     return EXIT.OK;
 *   },
 * });
 */
import type { ActionInput } from "./action.ts";
import type { TalonConfig } from "./config.ts";
import type { FrameContext } from "./hooks.ts";
import type { Evaluation } from "./plugin.ts";

/**
 * The documented exit codes of `talon`. A command returns one; an error it throws maps by its
 * code (`TALON_CLI_USAGE` → USAGE, `TALON_CONFIG_*` → CONFIG, `TALON_PLUGIN_*` → PLUGIN, ...).
 */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Unexpected failure. */
  FAILURE: 1,
  /** Bad command line: unknown command or flag, missing argument. */
  USAGE: 2,
  /** The config file is missing, unparsable or invalid. */
  CONFIG: 3,
  /** A plugin could not be resolved, validated or set up. */
  PLUGIN: 4,
  /** The store cannot be opened (unwritable, corrupt, unreachable). */
  STATE: 5,
  /** The gateway could not listen (port in use, bad bind). */
  GATEWAY: 6,
  /** A check ran and failed (doctor, policy verify, replay, integrity). */
  CHECK_FAILED: 7,
});

/** One flag, as node:util `parseArgs` takes it. */
export interface CommandOption {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

/** The parsed value of each declared flag. */
export type CommandValues<O extends Record<string, CommandOption>> = {
  [K in keyof O]?: O[K]["type"] extends "boolean"
    ? O[K]["multiple"] extends true
      ? boolean[]
      : boolean
    : O[K]["multiple"] extends true
      ? string[]
      : string;
};

/** A Talon host a command borrows: started without the gateway, stopped when `withHost` returns. */
export interface HostHandle {
  /** The host config as loaded (plugin keys under `plugins.entries`). */
  readonly config: Readonly<TalonConfig>;
  /** Every plugin considered: name, version, source, status. */
  plugins(): readonly { name: string; version: string; status: "active" | "failed"; error?: string }[];
  /** Call an RPC method as an internal caller (no scope check). */
  call(method: string, params?: unknown): Promise<any>;
  /** Evaluate one action through the scheduler, detectors, policy and observers. */
  evaluate(input: ActionInput): Promise<Evaluation>;
  /** Run a frame through `frame`/`extract` and evaluate every action found (bridge mode unless `context.mode` says otherwise). */
  ingestFrame(frame: Record<string, unknown>, context?: Partial<FrameContext>): Promise<Evaluation[]>;
}

/** How `ctx.withHost` builds the host. */
export interface HostRunOptions {
  /** Config file (`--config`); default: the user's config found as `talon serve` finds it. */
  configFile?: string;
  /** A whole config instead of a file (relative paths resolve against `cwd`). */
  inline?: Record<string, unknown>;
  /** Dotted-path overrides laid over the config (`{ "state.url": "memory" }`). */
  overrides?: Record<string, unknown>;
  /** Load only these plugins (names; the command's own plugin when empty). Default: what the config loads. */
  plugins?: readonly string[];
  /** Environment for config overrides; default the command's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** What a command's `run` receives besides its arguments. */
export interface CommandContext {
  /** Print a line to stdout. */
  out(text: string): void;
  /** Print a line to stderr. */
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The plugin that contributed the command. */
  readonly plugin: string;
  /** Start a host, run `body` against it, stop it (whatever `body` does). */
  withHost<T>(options: HostRunOptions, body: (host: HostHandle) => Promise<T>): Promise<T>;
}

/** A command a plugin contributes. */
export interface CommandDefinition<O extends Record<string, CommandOption> = Record<string, CommandOption>> {
  /** Words that select it after `talon`, e.g. `["integrity", "status"]`. Host commands win a clash. */
  readonly path: readonly string[];
  /** One line for `talon --help`. */
  readonly summary: string;
  /** Printed for `--help` and after a usage error. */
  readonly usage: string;
  /** Flags; `--help`/`-h` is added. Unknown flags are usage errors (exit 2). */
  readonly options?: O;
  /** Returns the exit code (see {@link EXIT}); throw a TalonError to exit with its area's code. */
  run(args: { values: CommandValues<O>; positionals: string[] }, ctx: CommandContext): number | Promise<number>;
}

/** Typed identity for a command definition (infers the flag types). */
export function defineCommand<O extends Record<string, CommandOption>>(definition: CommandDefinition<O>): CommandDefinition<O> {
  return definition;
}
