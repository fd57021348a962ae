/**
 * `talon integrity status|rebaseline`: start a host without the gateway, loading only the
 * host-integrity plugin against the configured store, and call its admin RPC. The running
 * server reads the baseline from the same store at its next check, so a rebaseline here clears
 * its alerts without a restart (a shared store: SQLite file or Redis, not `memory`).
 */
import { EXIT, PluginLoadError, defineCommand, isTalonError, renderTable, type CommandContext } from "@talon/sdk";

const STATUS_USAGE = `Usage: talon integrity status [--config FILE] [--json]

Check the protected paths (protectPaths; the seed's security.protect_paths) against the stored baseline now. Exits 7 if a file changed,
vanished, appeared or cannot be read.`;

const REBASELINE_USAGE = `Usage: talon integrity rebaseline [--config FILE] [--path PATH]... [--json]

Accept the current content of the protected paths (all, or each --path) as the new baseline.
Run it after a legitimate change; a running Talon picks it up at its next check.`;

interface PathStatus {
  path: string;
  kind?: string;
  sha256?: string;
  baselineAt?: number;
}

interface IntegrityResult {
  paths: PathStatus[];
  alerts: string[];
  errors: string[];
  ok: boolean;
  rebaselined?: string[];
}

async function callIntegrity(ctx: CommandContext, file: string | undefined, method: string, params: unknown): Promise<IntegrityResult> {
  try {
    return (await ctx.withHost({ configFile: file, plugins: [ctx.plugin] }, (host) => host.call(method, params))) as IntegrityResult;
  } catch (error) {
    if (isTalonError(error) && error.code === "TALON_RPC_UNKNOWN_METHOD") {
      throw new PluginLoadError("TALON_PLUGIN_NOT_FOUND", "the host-integrity plugin is not enabled in this config", {
        hint: "remove plugins.entries.host-integrity.enabled = false",
        plugin: "host-integrity",
      });
    }
    throw error;
  }
}

function render(io: CommandContext, result: IntegrityResult, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  if (result.rebaselined) io.out(`rebaselined: ${result.rebaselined.length > 0 ? result.rebaselined.join(", ") : "(nothing)"}`);
  const rows = result.paths.map((path) => [
    path.path,
    path.kind ?? "-",
    path.sha256 ? path.sha256.slice(0, 16) : "-",
    path.baselineAt ? new Date(path.baselineAt).toISOString() : "-",
  ]);
  io.out(rows.length > 0 ? renderTable(["PATH", "BASELINE", "SHA-256", "TAKEN"], rows) : "no protected paths (protectPaths is empty)");
  for (const alert of result.alerts) io.out(`MISMATCH  ${alert}`);
  for (const error of result.errors) io.out(`ERROR     ${error}`);
  io.out(result.ok ? "integrity: ok" : "integrity: FAILED");
}

const statusCommand = defineCommand({
  path: ["integrity", "status"],
  summary: "check protected files against their stored baseline",
  usage: STATUS_USAGE,
  options: { config: { type: "string" }, json: { type: "boolean" } },
  async run({ values }, io) {
    const result = await callIntegrity(io, values.config, "security.integrity.status", {});
    render(io, result, values.json === true);
    return result.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

const rebaselineCommand = defineCommand({
  path: ["integrity", "rebaseline"],
  summary: "accept the current protected files as the new baseline",
  usage: REBASELINE_USAGE,
  options: { config: { type: "string" }, json: { type: "boolean" }, path: { type: "string", multiple: true } },
  async run({ values }, io) {
    const paths = values.path;
    const result = await callIntegrity(io, values.config, "security.integrity.rebaseline", paths ? { paths } : {});
    render(io, result, values.json === true);
    return result.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

/** `talon integrity status` and `talon integrity rebaseline`. */
export const integrityCommands = [statusCommand, rebaselineCommand];
