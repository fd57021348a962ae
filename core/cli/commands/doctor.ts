/** `talon doctor`: check config, store, port and plugins, and print one row per check. */
import { createServer } from "node:net";
import { resolve } from "node:path";
import { errorMessage, isTalonError, type CheckResult } from "@talon/sdk";
import { loadConfig, type ConfigSource, type LoadedConfig } from "../../config/load.ts";
import { resolveAuth } from "../../gateway/auth.ts";
import { parseBind } from "../../gateway/server.ts";
import { createHost } from "../../host.ts";
import { createSilentLogger } from "../../log.ts";
import { openStoreBackend } from "../../state/open-store.ts";
import { parseFlags, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { renderTable } from "@talon/sdk";
import { SERVE_FLAGS, serveOverrides } from "./serve.ts";

const USAGE = `Usage: talon doctor [serve's options]

Check that Talon can start: the config is valid, the store opens, the port is free and every
plugin loads; then run the plugins' own checks (in bridge mode after connecting to the upstream
gateway, e.g. whether the OpenClaw guard is loaded there). Takes the options of \`talon serve\`
(--config, --bind, --port, --token, --data-dir, --mode, --log-level) and checks the start they
describe. Prints a table; exits 7 if any check fails or is critical.`;

/** How long doctor waits for the upstream connection before running the plugins' checks. */
const BRIDGE_WAIT_MS = 10_000;
/** Time limit of one plugin check. */
const CHECK_TIMEOUT_MS = 10_000;

type Row = [check: string, status: "ok" | "FAIL" | "warn" | "CRITICAL", detail: string];

function portFree(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", (error) => resolvePort(errorMessage(error)));
    server.listen(port, host, () => server.close(() => resolvePort(undefined)));
  });
}

function describe(error: unknown): string {
  return isTalonError(error) ? `${error.code}: ${error.bareMessage}${error.hint ? ` (${error.hint})` : ""}` : errorMessage(error);
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return true;
}

/** One plugin check as a row; a check that throws or hangs fails. */
async function runCheck(name: string, run: () => CheckResult | Promise<CheckResult>): Promise<Row> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const result = await Promise.race([Promise.resolve(run()), limit]);
    return [name, result.status === "critical" ? "CRITICAL" : result.status, result.detail];
  } catch (error) {
    return [name, "FAIL", describe(error)];
  } finally {
    clearTimeout(timer);
  }
}

export const doctorCommand: Command = {
  path: ["doctor"],
  summary: "check config, store, port and plugins",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, SERVE_FLAGS, USAGE);
    if (values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const rows: Row[] = [];
    let source: ConfigSource = { file: values.config as string | undefined, env: io.env, cwd: io.cwd };
    let loaded: LoadedConfig | undefined;
    try {
      source = { ...source, overrides: await serveOverrides(values, source) };
      loaded = await loadConfig(source);
      rows.push(["config", "ok", loaded.file ?? "built-in defaults (no config file found)"]);
    } catch (error) {
      // A wrong flag is a usage error (exit 2), not a failed check.
      if (isTalonError(error) && error.code === "TALON_CLI_USAGE") throw error;
      rows.push(["config", "FAIL", describe(error)]);
    }
    if (loaded) {
      const config = loaded.config;
      const dataDir = resolve(io.cwd, config.data_dir);
      try {
        const backend = await openStoreBackend(config.state.url, dataDir);
        rows.push(["store", "ok", `${backend.kind} at ${backend.location}`]);
        await backend.close();
      } catch (error) {
        rows.push(["store", "FAIL", describe(error)]);
      }
      const serve = config.gateway.server.enabled ?? config.gateway.runtime_mode === "standalone_server";
      if (serve) {
        try {
          const bind = parseBind(config.gateway.server.bind);
          const busy = await portFree(bind.host, bind.port);
          rows.push([
            "port",
            busy ? "FAIL" : "ok",
            busy ? `${config.gateway.server.bind}: ${busy}` : `${config.gateway.server.bind} is free`,
          ]);
        } catch (error) {
          rows.push(["port", "FAIL", describe(error)]);
        }
        const auth = resolveAuth(config);
        rows.push([
          "auth",
          config.gateway.server.auth_mode === "none" ? "warn" : "ok",
          auth.method === "none"
            ? config.gateway.server.auth_mode === "none"
              ? "authentication is off"
              : "no secret configured; serve will generate a token"
            : `${auth.method} auth`,
        ]);
      } else {
        rows.push(["port", "ok", "not serving (bridge mode)"]);
      }
      try {
        // In bridge mode the bridge connects (Talon's own server stays off) so plugin checks can ask upstream.
        const bridge = config.gateway.runtime_mode === "bridge_client";
        const host = await createHost({
          config: bridge ? { ...source, overrides: { ...source.overrides, "gateway.server.enabled": false } } : source,
          gateway: bridge,
          log: createSilentLogger(),
        });
        await host.start();
        const active = host.plugins.filter((p) => p.status === "active");
        const failed = host.plugins.filter((p) => p.status === "failed");
        rows.push([
          "plugins",
          failed.length > 0 ? "warn" : "ok",
          `${active.length} loaded${failed.length > 0 ? `; optional failed: ${failed.map((p) => p.name).join(", ")}` : ""}`,
        ]);
        if (bridge) {
          const connected = await waitFor(() => host.gateway.connected, BRIDGE_WAIT_MS);
          rows.push(["upstream", connected ? "ok" : "FAIL", connected ? "connected" : `not connected after ${BRIDGE_WAIT_MS} ms`]);
        }
        for (const [name, { run }] of host.checks) rows.push(await runCheck(name, run));
        await host.stop();
      } catch (error) {
        rows.push(["plugins", "FAIL", describe(error)]);
      }
    }
    io.out(renderTable(["CHECK", "STATUS", "DETAIL"], rows));
    return rows.some((row) => row[1] === "FAIL" || row[1] === "CRITICAL") ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
