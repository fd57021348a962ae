/**
 * Talon's side of `@talon/sdk/testing`: the real host the kit's `createTestHost`, `testDetector`,
 * `testChannelDriver` and `runTalon` use. Handed to the kit by register.ts; nothing in the SDK
 * imports it.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mergeConfig, type ActionInput, type DecisionRecord } from "@talon/sdk";
import type { CliRun, TestHost, TestHostEvent, TestHostOptions, TestHostProvider } from "@talon/sdk/testing";
import { runCli } from "../cli/main.ts";
import { loadConfig } from "../config/load.ts";
import { toHostHandle } from "../host-handle.ts";
import { createHost } from "../host.ts";
import { importModule } from "../modules/import-module.ts";
import { createSilentLogger } from "../log.ts";
import { createDriverHarness } from "./driver-harness.ts";
import { waitForMatch } from "./wait.ts";

/** What a test host loads when the test names nothing else: the trusted policy and the frame extractor. */
const DEFAULT_BUNDLED = ["decision-policy", "frame-extract"];

function pathOf(plugin: string | URL): string {
  return plugin instanceof URL || plugin.startsWith("file:") ? fileURLToPath(plugin) : plugin;
}

/** The inline config of a test host. */
async function configFor(options: TestHostOptions, dataDir: string, token: string): Promise<Record<string, unknown>> {
  const load = (options.plugins ?? []).map(pathOf);
  // A bundled plugin under test is loaded from its path only, never twice.
  const names = new Set<string>();
  for (const path of load) {
    const definition = (await importModule(path)).default as { name?: unknown } | undefined;
    if (typeof definition?.name === "string") names.add(definition.name);
  }
  const bundled = (options.bundled ?? DEFAULT_BUNDLED).filter((name) => !names.has(name));
  const entries = Object.fromEntries(Object.entries(options.pluginConfig ?? {}).map(([name, config]) => [name, { config }]));
  const defaults = {
    data_dir: dataDir,
    state: { url: "memory" },
    gateway: { token, server: { bind: "127.0.0.1:0", reload_interval_secs: 0 } },
    plugins: { builtin: bundled.length > 0 ? bundled : false, load, entries },
    log: { level: "silent" },
  };
  return mergeConfig(defaults, options.config ?? {});
}

/** Start a host for a plugin's tests. */
export async function startPluginTestHost(options: TestHostOptions): Promise<TestHost> {
  const dataDir = await mkdtemp(join(tmpdir(), "talon-test-"));
  const cwd = options.cwd ?? dataDir;
  const token = randomBytes(16).toString("hex");
  let inline = await configFor(options, dataDir, token);
  const host = await createHost({
    config: { inline, env: options.env ?? {}, cwd },
    gateway: options.gateway ?? false,
    log: createSilentLogger(),
  });
  const events: TestHostEvent[] = [];
  const waiters = new Set<() => void>();
  host.events.subscribe((event, payload) => {
    events.push({ event, payload });
    for (const wake of waiters) wake();
  });
  try {
    await host.start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const address = host.gateway.address();
  let stopped: Promise<void> | undefined;
  return {
    ...toHostHandle(host),
    get config() {
      return host.config;
    },
    httpUrl: address ? `http://127.0.0.1:${address.port}` : "",
    wsUrl: address ? `ws://127.0.0.1:${address.port}` : "",
    token,
    async decide(input: ActionInput): Promise<DecisionRecord> {
      const evaluation = await host.defender.evaluate(input);
      if (evaluation.status !== "decided") throw new Error(`[talon] action ${input.id} was ${evaluation.status}, not decided`);
      return evaluation.record;
    },
    events: () => events,
    waitForEvent: (predicate, timeoutMs = 10_000) => waitForMatch(events, waiters, predicate, timeoutMs, "event"),
    async reload(changes) {
      inline = await configFor({ ...options, ...changes }, dataDir, token);
      await host.applyConfig(await loadConfig({ inline, env: options.env ?? {}, cwd }));
    },
    use: <T>(plugin: string) => host.pluginApi(plugin) as T,
    stop: () =>
      (stopped ??= (async () => {
        await host.stop();
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** Run the CLI in process, collecting its output. */
async function runCliForTest(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Talon as the kit's test host. */
export const talonTestHost: TestHostProvider = {
  createHost: startPluginTestHost,
  createDriverHarness,
  runCli: runCliForTest,
};
