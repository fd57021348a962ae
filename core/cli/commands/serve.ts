/** `talon serve` (the default command): run Talon until SIGINT/SIGTERM. */
import { resolve } from "node:path";
import { TalonError } from "@talon/sdk";
import { loadConfig, type ConfigSource } from "../../config/load.ts";
import { resolveAuth } from "../../gateway/auth.ts";
import { parseBind } from "../../gateway/server.ts";
import { createHost } from "../../host.ts";
import { releaseYoungGeneration } from "../../runtime/young-generation.ts";
import { parseFlags, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { ensureGatewayToken } from "../token.ts";

const USAGE = `Usage: talon serve [options]

Run Talon: standalone gateway on 127.0.0.1:18789 by default, or bridge to an upstream gateway.

Options:
  --config FILE      config file (TOML, JSON or talon.config.ts); default: talon.config.*, talon.toml
                     or openclaw-rs.toml in the working directory
  --bind HOST        listen address (keeps the configured port unless --port is given)
  --port N           listen port (0 picks a free port)
  --token T          gateway token clients must present
  --data-dir DIR     data directory (store, generated token); default .talon
  --mode MODE        standalone | bridge
  --log-level LEVEL  fatal | error | warn | info | debug | trace | silent
  -h, --help         show this help

With no token or password configured (and auth_mode not "none"), serve generates a token,
stores it in <data-dir>/token and prints that path.`;

/** The flags that shape a serve (`doctor` takes the same, to check exactly that start). */
export const SERVE_FLAGS = {
  config: { type: "string" },
  bind: { type: "string" },
  port: { type: "string" },
  token: { type: "string" },
  "data-dir": { type: "string" },
  mode: { type: "string" },
  "log-level": { type: "string" },
} as const;

/** Turn serve flags into config overrides. */
export async function serveOverrides(values: Record<string, unknown>, source: ConfigSource): Promise<Record<string, unknown>> {
  const overrides: Record<string, unknown> = {};
  if (values["data-dir"] !== undefined) overrides.data_dir = values["data-dir"];
  if (values.token !== undefined) overrides["gateway.token"] = values.token;
  if (values["log-level"] !== undefined) overrides["log.level"] = values["log-level"];
  if (values.mode !== undefined) {
    const mode = values.mode === "bridge" ? "bridge_client" : values.mode === "standalone" ? "standalone_server" : undefined;
    if (!mode)
      throw new TalonError("TALON_CLI_USAGE", `--mode must be standalone or bridge (got ${String(values.mode)})`, {
        hint: "see talon serve --help",
      });
    overrides["gateway.runtime_mode"] = mode;
  }
  if (values.bind !== undefined || values.port !== undefined) {
    const base = await loadConfig({ ...source, overrides });
    const current = parseBind(base.config.gateway.server.bind);
    const port = values.port === undefined ? current.port : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new TalonError("TALON_CLI_USAGE", `--port must be 0..65535 (got ${String(values.port)})`);
    const host = (values.bind as string | undefined) ?? current.host;
    overrides["gateway.server.bind"] = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  }
  return overrides;
}

export const serveCommand: Command = {
  path: ["serve"],
  summary: "run Talon (default command)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, SERVE_FLAGS, USAGE);
    if (values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const source: ConfigSource = { file: values.config as string | undefined, env: io.env, cwd: io.cwd };
    const overrides = await serveOverrides(values, source);
    const loaded = await loadConfig({ ...source, overrides });
    const config = loaded.config;
    let tokenFile: string | undefined;
    if (
      config.gateway.server.auth_mode !== "none" &&
      resolveAuth(config).method === "none" &&
      config.gateway.runtime_mode === "standalone_server"
    ) {
      const stored = await ensureGatewayToken(resolve(io.cwd, config.data_dir));
      overrides["gateway.token"] = stored.token;
      tokenFile = stored.file;
    }
    const host = await createHost({ config: { ...source, overrides } });
    await host.start();
    releaseYoungGeneration();
    const address = host.gateway.address();
    if (address)
      io.out(
        `talon ${host.version} listening on ws://${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port} (${host.mode})`,
      );
    else io.out(`talon ${host.version} running (${host.mode}, no local listener)`);
    if (tokenFile) io.out(`gateway token stored in ${tokenFile} (clients pass it as auth.token; read it with: cat ${tokenFile})`);
    if (resolveAuth(host.config).method === "none" && address)
      io.out("warning: gateway authentication is off (gateway.server.auth_mode = none)");
    await new Promise<void>((resolveStop) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void host.stop().finally(resolveStop);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return EXIT.OK;
  },
};
