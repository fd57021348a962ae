/**
 * guard-watch in bridge mode against a scripted upstream (test/gateway/fake-upstream.ts answering
 * `health` as openclaw 2026.9.6 does) and a real guard module sending heartbeats: the guard's
 * presence in `status`, a `security.guard` event within one health interval of its loss, exec
 * approvals left to a person while it is missing, and `talon doctor` failing on it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { FakeUpstream } from "../gateway/fake-upstream.ts";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { testGuard, toolCall } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../../bin/talon.js", import.meta.url));
const HEALTH_INTERVAL_MS = 400;

/** Upstream's `health` payload with the plugins it lists. */
function health(loaded: string[], errors: { id: string; error: string }[] = []) {
  return { ok: true, ts: Date.now(), plugins: { loaded, errors, unavailable: [] }, channels: {}, defaultAgentId: "main" };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("bridge mode: the guard is present, then missing within one health interval; exec approvals wait for a person", async () => {
  let upstreamHealth = health(["browser", "talon-guard"]);
  const upstream = await FakeUpstream.start({
    respond: (method) => (method === "health" ? upstreamHealth : method === "exec.approval.resolve" ? { ok: true } : undefined),
  });
  const talon = await startTestHost(
    {
      gateway: {
        runtime_mode: "bridge_client",
        url: upstream.url,
        token: "upstream-token",
        server: { enabled: true },
        bridge: { scopes: ["operator.admin", "operator.approvals"] },
      },
      plugins: {
        builtin: ["decision-policy", "decision-events", "defender-command", "exec-approvals", "guard-watch"],
        entries: {
          "guard-watch": { config: { health_interval_ms: HEALTH_INTERVAL_MS, heartbeat_timeout_ms: 5000, heartbeat_interval_ms: 200 } },
        },
      },
    },
    { gateway: true },
  );
  await until(() => talon.host.gateway.connected, "the bridge");
  const { guard } = testGuard(talon.url, talon.token, { heartbeatIntervalMs: 200 });
  guard.start();
  const watcher = await TestClient.connect(talon.url, { token: talon.token, scopes: ["operator.read"] });
  await watcher.waitForEvent("security.guard", (frame) => frame.payload.status === "present", 5000);
  let ok = await watcher.call("status", {});
  for (let i = 0; i < 50 && ok.guard.upstream === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ok = await watcher.call("status", {});
  }
  assert.equal(ok.guard.status, "ok");
  assert.equal(ok.guard.upstream.loaded, true);
  assert.equal(ok.guard.instances[0].version, "0.1.0");
  assert.equal(ok.guard.instances[0].openclawVersion, "2026.9.6");

  // The guard's registration breaks upstream (e.g. a failed `openclaw plugins reload`).
  const broken = Date.now();
  upstreamHealth = health(["browser"], [{ id: "talon-guard", error: "talon-guard config: cannot read tokenFile /run/missing" }]);
  const missing = await watcher.waitForEvent("security.guard", (frame) => frame.payload.status === "missing", 5000);
  assert.ok(Date.now() - broken <= HEALTH_INTERVAL_MS + 300, `reported after ${Date.now() - broken} ms`);
  assert.equal(missing.payload.severity, "critical");
  assert.equal(missing.payload.reasons[0].code, "registration_failed");
  assert.match(missing.payload.reasons[0].detail, /cannot read tokenFile/);
  const critical = await watcher.call("status", {});
  assert.equal(critical.guard.status, "critical");

  // Upstream asks Talon to approve a harmless exec: left to a person while the guard is missing.
  const connection = upstream.last!;
  const answered = () => connection.received.filter((frame) => frame.method === "exec.approval.resolve");
  upstream.send({
    type: "event",
    event: "exec.approval.requested",
    payload: {
      id: "approval-1",
      request: { command: "git status", commandArgv: ["git", "status"], sessionKey: "agent:main:main" },
      createdAtMs: Date.now(),
      expiresAtMs: Date.now() + 60_000,
    },
  });
  const decision = await watcher.waitForEvent("security.decision", (frame) => frame.payload.requestId === "approval-1");
  assert.equal(decision.payload.decision.action, "review");
  assert.ok(decision.payload.decision.tags.includes("guard_missing"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(answered(), [], "no allow-once while the guard is missing");

  // Back: the next approval is Talon's own again.
  upstreamHealth = health(["browser", "talon-guard"]);
  await watcher.waitForEvent(
    "security.guard",
    (frame) => frame.payload.status === "present" && frame.payload.sinceMs > missing.payload.sinceMs,
    5000,
  );
  upstream.send({
    type: "event",
    event: "exec.approval.requested",
    payload: {
      id: "approval-2",
      request: { command: "git status", sessionKey: "agent:main:main" },
      createdAtMs: Date.now(),
      expiresAtMs: Date.now() + 60_000,
    },
  });
  await until(() => answered().length === 1, "the approval to be answered");
  assert.equal(answered()[0].params.decision, "allow-once");

  // Heartbeats stop (the guard's process went away): missing again.
  guard.stop();
  await watcher.waitForEvent(
    "security.guard",
    (frame) => frame.payload.status === "missing" && frame.payload.reasons.some((r: any) => r.code === "heartbeat_lost"),
    8000,
  );
  await watcher.close();
  await talon.stop();
  await upstream.stop();
});

test("talon doctor: the guard check is critical when upstream lacks the guard, ok when it is loaded", async () => {
  let loaded = ["browser"];
  const upstream = await FakeUpstream.start({ respond: (method) => (method === "health" ? health(loaded) : undefined) });
  const cwd = await tempDir();
  await writeFile(
    join(cwd, "talon.toml"),
    `[gateway]\nruntime_mode = "bridge_client"\nurl = "${upstream.url}"\ntoken = "t"\n[plugins]\nbuiltin = ["decision-policy", "guard-watch"]\n`,
  );
  const run = () =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "doctor"], {
        cwd,
        env: { PATH: process.env.PATH, HOME: cwd, TALON_SOURCE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.on("close", (code) => resolve({ code, stdout }));
    });
  const missing = await run();
  assert.equal(missing.code, 7, missing.stdout);
  assert.match(missing.stdout, /upstream\s+ok\s+connected/);
  assert.match(missing.stdout, /guard\s+CRITICAL\s+talon-guard is not among upstream's loaded plugins/);
  loaded = ["browser", "talon-guard"];
  const present = await run();
  assert.equal(present.code, 0, present.stdout);
  assert.match(present.stdout, /guard\s+ok/);
  await upstream.stop();
});

test("a guard's heartbeat is answered with Talon's version; the status shows which guard talks to Talon", async () => {
  const talon = await startTestHost({ plugins: { builtin: ["decision-policy", "decision-events", "guard-watch"] } }, { gateway: true });
  const { guard } = testGuard(talon.url, talon.token);
  const call = toolCall("exec", { command: "git status" });
  await guard.beforeToolCall(call.event, call.ctx);
  await until(() => (guard.status() as { talon: { version: string } }).talon.version !== "", "the heartbeat answer");
  assert.equal((guard.status() as { talon: { version: string } }).talon.version, talon.host.version);
  const status = (await talon.host.call("status", {})) as { guard: { instances: { instanceId: string; stats: Record<string, number> }[] } };
  assert.equal(status.guard.instances[0]!.instanceId, guard.instanceId);
});
