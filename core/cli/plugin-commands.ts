/**
 * CLI commands contributed by plugins (`definePlugin({ commands })`). They are found by importing
 * the plugins the config names (bundled ones, `plugins.load`) and reading their definitions; no
 * plugin's `setup` runs. A command that needs a host borrows one through `ctx.withHost`: started
 * without the gateway, silent, stopped afterwards.
 */
import {
  EXIT,
  isTalonError,
  talonConfigSchema,
  type CommandContext,
  type CommandDefinition,
  type HostHandle,
  type HostRunOptions,
  type TalonConfig,
} from "@talon/sdk";
import { loadConfig, type ConfigSource } from "../config/load.ts";
import { toHostHandle } from "../host-handle.ts";
import { createHost } from "../host.ts";
import { importSource } from "../loader/load-plugins.ts";
import { validateManifest } from "../loader/manifest.ts";
import { resolvePluginSources, type PluginSource } from "../loader/resolve.ts";
import { createSilentLogger } from "../log.ts";
import { TALON_VERSION } from "../version.ts";
import { parseFlags, type Command, type CommandIO } from "./command.ts";

/** What discovery found: commands by plugin, every plugin's source, and what could not be read. */
export interface PluginCommands {
  commands: Command[];
  /** Plugin name → where it was loaded from (to load exactly that plugin in `withHost`). */
  sources: Map<string, PluginSource>;
  /** Plugins or configs that could not be read (shown when a command is not found). */
  problems: string[];
}

/** `--config FILE` or `--config=FILE` anywhere in argv. */
function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") return argv[i + 1];
    if (argv[i]!.startsWith("--config=")) return argv[i]!.slice("--config=".length);
  }
  return undefined;
}

/** Import the configured plugins and collect their commands; `reserved` are the host's own paths. */
export async function discoverPluginCommands(argv: readonly string[], io: CommandIO, reserved: readonly string[]): Promise<PluginCommands> {
  const problems: string[] = [];
  let config: TalonConfig = talonConfigSchema.parse({});
  let baseDir = io.cwd;
  try {
    const loaded = await loadConfig({ file: configFlag(argv), env: io.env, cwd: io.cwd });
    config = loaded.config;
    baseDir = loaded.baseDir;
  } catch (error) {
    problems.push(`config: ${isTalonError(error) ? error.bareMessage : String(error)} (only bundled plugins were searched)`);
  }
  const { sources } = resolvePluginSources(config, baseDir);
  const found = new Map<string, PluginSource>();
  const commands: Command[] = [];
  const taken = new Set(reserved);
  for (const source of sources) {
    let definition;
    try {
      definition = validateManifest(await importSource(source, baseDir), source.spec, TALON_VERSION);
    } catch (error) {
      if (!source.optional) problems.push(`${source.spec}: ${isTalonError(error) ? error.bareMessage : String(error)}`);
      continue;
    }
    if (config.plugins.entries[definition.name]?.enabled === false) continue;
    found.set(definition.name, source);
    for (const command of definition.commands ?? []) {
      const key = command.path.join(" ");
      if (taken.has(key)) {
        problems.push(`${definition.name}: command "${key}" is already taken; ignored`);
        continue;
      }
      taken.add(key);
      commands.push(wrap(definition.name, command, found, io));
    }
  }
  return { commands, sources: found, problems };
}

/** A plugin's command as the host runs it: flags parsed, `--help` answered, a host lent on request. */
function wrap(plugin: string, command: CommandDefinition, sources: Map<string, PluginSource>, io: CommandIO): Command {
  return {
    path: command.path,
    summary: `${command.summary} (${plugin})`,
    usage: command.usage,
    async run(argv) {
      const { values, positionals } = parseFlags(argv, { ...(command.options ?? {}) }, command.usage) as {
        values: Record<string, unknown>;
        positionals: string[];
      };
      if (values.help) {
        io.out(command.usage);
        return EXIT.OK;
      }
      const { help: _help, ...own } = values;
      const ctx: CommandContext = {
        out: io.out,
        err: io.err,
        env: io.env,
        cwd: io.cwd,
        plugin,
        withHost: (options, body) => withCommandHost(io, plugin, sources, options, body),
      };
      return await command.run({ values: own as never, positionals }, ctx);
    },
  };
}

/** Start a host for a command, run `body`, stop the host whatever happens. */
export async function withCommandHost<T>(
  io: Pick<CommandIO, "env" | "cwd">,
  plugin: string,
  sources: ReadonlyMap<string, PluginSource>,
  options: HostRunOptions,
  body: (host: HostHandle) => Promise<T>,
): Promise<T> {
  const cwd = options.cwd ?? io.cwd;
  const env = options.env ?? io.env;
  const overrides: Record<string, unknown> = { ...options.overrides };
  if (options.plugins) {
    const names = options.plugins.length > 0 ? options.plugins : [plugin];
    const pick = names.map((name) => ({ name, source: sources.get(name) }));
    const bundled = pick.filter((item) => item.source === undefined || item.source.kind === "bundled").map((item) => item.name);
    overrides["plugins.builtin"] = bundled.length > 0 ? bundled : false;
    overrides["plugins.load"] = pick.flatMap((item) => (item.source && item.source.kind !== "bundled" ? [item.source.spec] : []));
  }
  const source: ConfigSource = options.inline
    ? { inline: options.inline, env, cwd, overrides }
    : { file: options.configFile, env, cwd, overrides };
  const host = await createHost({ config: source, gateway: false, log: createSilentLogger() });
  await host.start();
  try {
    return await body(toHostHandle(host));
  } finally {
    await host.stop();
  }
}
