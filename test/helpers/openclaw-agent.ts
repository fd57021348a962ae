/**
 * A real upstream OpenClaw gateway that runs agent turns offline: its own HOME, TMPDIR and token,
 * a custom provider pointing at a fake OpenAI-compatible model on loopback, and plugins loaded
 * from folders (`plugins.load.paths`), as ../shared/spec/openclaw-guard.md describes. Started
 * with the installed upstream (test/helpers/upstream.ts); 15-30 s to ready.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { TestClient } from "./gateway-client.ts";
import { UPSTREAM_DIR, ensureUpstream, freePort, upstreamEnv } from "./upstream.ts";

const OPENCLAW_BIN = join(UPSTREAM_DIR, "app", "node_modules", ".bin", "openclaw");
const ANSI = /\x1b\[[0-9;]*m/g;

export interface AgentGatewayOptions {
  /** Scratch folder (HOME, TMPDIR and logs live under it). */
  dir: string;
  /** Base URL of the fake model (`http://127.0.0.1:PORT/v1`). */
  modelBaseUrl: string;
  /** Plugin folders to load, and `plugins.entries` to write. */
  pluginPaths?: string[];
  pluginEntries?: Record<string, unknown>;
  /** Extra environment for the gateway (and so for the agent's `exec`); `pathPrepend` goes before PATH. */
  env?: Record<string, string>;
  pathPrepend?: string;
  /** The gateway token (default: random). */
  token?: string;
  /** More config merged over the top level (e.g. `tools`). */
  extraConfig?: Record<string, unknown>;
  readyTimeoutMs?: number;
}

export interface AgentGateway {
  url: string;
  port: number;
  token: string;
  /** The gateway's HOME. */
  home: string;
  /** The agent's workspace (the default cwd of `exec`). */
  workspace: string;
  configPath: string;
  /** Rewrite `plugins.entries` (the gateway hot-reloads config; a failed re-registration keeps the previous plugin). */
  setPluginEntries(entries: Record<string, unknown>): void;
  /** Stop, then start again on the same port with the current config. */
  restart(): Promise<void>;
  /** A client of this gateway (admin, approvals, plugin approval capability). */
  client(options?: { caps?: string[]; scopes?: string[] }): Promise<TestClient>;
  output(): string;
  stop(): Promise<void>;
}

/** The provider block that points OpenClaw at the fake model. */
function modelsConfig(baseUrl: string) {
  return {
    mode: "merge",
    providers: {
      fake: {
        baseUrl,
        apiKey: "x",
        api: "openai-completions",
        models: [
          {
            id: "fake-1",
            name: "Fake",
            reasoning: false,
            input: ["text"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 128000,
            maxTokens: 4096,
          },
        ],
      },
    },
  };
}

/** Start the gateway and wait for `[gateway] ready`. */
export async function startAgentGateway(options: AgentGatewayOptions): Promise<AgentGateway> {
  await ensureUpstream();
  const port = await freePort();
  const token = options.token ?? randomBytes(18).toString("hex");
  const home = join(options.dir, "home");
  const tmp = join(options.dir, "tmp");
  const workspace = join(home, ".openclaw", "workspace");
  mkdirSync(join(home, ".openclaw"), { recursive: true, mode: 0o700 });
  mkdirSync(tmp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const configPath = join(home, ".openclaw", "openclaw.json");
  const config: Record<string, any> = {
    gateway: { mode: "local", bind: "custom", customBindHost: "127.0.0.1", port, auth: { mode: "token" } },
    logging: { file: join(options.dir, "openclaw.log") },
    models: modelsConfig(options.modelBaseUrl),
    agents: { defaults: { model: { primary: "fake/fake-1" }, workspace } },
    plugins: { load: { paths: options.pluginPaths ?? [] }, entries: options.pluginEntries ?? {} },
    ...options.extraConfig,
  };
  const writeConfig = () => {
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    chmodSync(configPath, 0o600);
  };
  writeConfig();
  let output = "";
  const env = upstreamEnv({
    HOME: home,
    TMPDIR: tmp,
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_DISABLE_BONJOUR: "1",
    NODE_OPTIONS: `--import=${join(UPSTREAM_DIR, "ipv4-loopback-only.mjs")}`,
    ...options.env,
  });
  if (options.pathPrepend) env.PATH = `${options.pathPrepend}:${env.PATH}`;
  let child: ChildProcess | undefined;
  const stop = async () => {
    const current = child;
    if (current && current.exitCode === null && current.signalCode === null) {
      await new Promise<void>((resolve) => {
        current.once("exit", () => resolve());
        current.kill("SIGTERM");
        setTimeout(() => current.kill("SIGKILL"), 10_000).unref();
      });
    }
    await rm(`/tmp/openclaw-state-locks-${process.getuid?.() ?? 0}`, { recursive: true, force: true }).catch(() => undefined);
  };
  const launch = async () => {
    output = "";
    const started = spawn(OPENCLAW_BIN, ["gateway", "run", "--port", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout!.on("data", (chunk) => (output += chunk.toString()));
    started.stderr!.on("data", (chunk) => (output += chunk.toString()));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 240_000);
    while (!/\[gateway\] ready/m.test(output.replace(ANSI, ""))) {
      if (started.exitCode !== null) throw new Error(`upstream gateway exited early (${started.exitCode}):\n${output.slice(-4000)}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`upstream gateway not ready in time:\n${output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  await launch();
  const url = `ws://127.0.0.1:${port}`;
  return {
    url,
    port,
    token,
    home,
    workspace,
    configPath,
    setPluginEntries(entries) {
      config.plugins.entries = entries;
      writeConfig();
    },
    client: (clientOptions = {}) =>
      TestClient.connect(url, {
        token,
        clientId: "gateway-client",
        mode: "backend",
        minProtocol: 4,
        maxProtocol: 4,
        scopes: clientOptions.scopes ?? ["operator.admin", "operator.approvals", "operator.read", "operator.write"],
        params: { caps: clientOptions.caps ?? [] },
        timeoutMs: 30_000,
      }),
    output: () => output + safeRead(join(options.dir, "openclaw.log")),
    async restart() {
      await stop();
      await launch();
    },
    stop,
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
