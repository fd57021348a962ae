/**
 * Host core figures (issue 2): cold start to listening (median of 5 `talon serve` processes),
 * idle RSS of a serving process with all bundled plugins loaded, and the per-frame cost of the
 * `frame` hook with 10 taps.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STAGE, type FrameContext } from "@talon/sdk";
import { createHookFacades, createHostHooks } from "../../core/hooks.ts";
import { createSilentLogger } from "../../core/log.ts";
import { report } from "./stats.ts";

const BIN = fileURLToPath(new URL("../../bin/talon.js", import.meta.url));

function rssKibOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

/** Start `talon serve`, return ms until it prints its listening line; optionally sample RSS after `idleMs`. */
async function startOnce(cwd: string, env: NodeJS.ProcessEnv, idleMs = 0): Promise<{ startMs: number; rssKib?: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk) => (err += chunk));
  const startMs = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/listening on ws:/.test(out)) resolve(performance.now() - started);
    });
    child.once("exit", (code) => reject(new Error(`talon exited ${code}: ${err || out}`)));
  });
  let rssKib: number | undefined;
  if (idleMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    rssKib = rssKibOf(child.pid!);
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  return { startMs, rssKib };
}

async function coldStart(): Promise<Record<string, unknown>> {
  const cwd = mkdtempSync(join(tmpdir(), "talon-bench-"));
  writeFileSync(join(cwd, "talon.toml"), `[log]\nlevel = "warn"\n[gateway]\ntoken = "bench"\n`);
  try {
    const first = await startOnce(cwd, {});
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push((await startOnce(cwd, {})).startMs);
    const sorted = [...runs].sort((a, b) => a - b);
    const idle = await startOnce(cwd, {}, 3000);
    return {
      firstStartMs: Math.round(first.startMs),
      coldStartMedianMs: Math.round(sorted[2]!),
      coldStartRunsMs: runs.map(Math.round),
      idleRssMb: Math.round(((idle.rssKib ?? 0) / 1024) * 10) / 10,
      plugins: "all bundled (plugins.builtin = true)",
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function frameHookCost(taps: number): Promise<{ taps: number; nsPerFrame: number }> {
  const hooks = createHostHooks();
  const gate = { started: false };
  const log = createSilentLogger();
  for (let i = 0; i < taps; i++) {
    const facades = createHookFacades(hooks, { plugin: `tap-${i}`, loadIndex: i, gate, log, policy: { hookErrorAction: () => "block" }, state: { active: true } });
    // Realistic taps: half filtered by frame type, half inspect the frame and keep it.
    if (i % 2 === 0) facades.frame.tap({ stage: STAGE.DETECTOR, filter: { frameType: "req", method: "sessions." } }, (frame) => (frame.id === "never" ? { ...frame } : undefined));
    else facades.frame.tap((frame) => (typeof frame.method === "string" && frame.method.length > 1000 ? { ...frame } : undefined));
  }
  const frame = { type: "req", id: "1", method: "sessions.list", params: {} };
  const context: FrameContext = { mode: "standalone", kind: "req", method: "sessions.list" };
  for (let i = 0; i < 20_000; i++) await hooks.frame.promise(frame, context);
  const n = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await hooks.frame.promise(frame, context);
  const elapsed = Number(process.hrtime.bigint() - started);
  return { taps, nsPerFrame: Math.round(elapsed / n) };
}

const hook = [await frameHookCost(0), await frameHookCost(1), await frameHookCost(10)];
const start = await coldStart();
report({ ...start, frameHook: hook, goals: { coldStartMs: 1000, idleRssMb: 80 } });
