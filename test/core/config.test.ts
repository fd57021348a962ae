import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../core/config/load.ts";
import { applyEnvOverrides } from "../../core/config/env.ts";
import { events } from "../fixtures/plugins/lifecycle-recorder/record.ts";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const SEED_EXAMPLE = fileURLToPath(new URL("../../parity/corpus/seed/openclaw-rs.example.toml", import.meta.url));

/** A plugin's raw config as the host hands it to the plugin's schema (`plugins.entries.<name>.config`). */
const entry = (config: { plugins: { entries: Record<string, { config?: unknown }> } }, name: string) =>
  config.plugins.entries[name]?.config as Record<string, any>;
const reloadRecorder = fileURLToPath(new URL("../fixtures/plugins/reload-recorder", import.meta.url));

test("the seed's example openclaw-rs.toml loads unchanged with the seed's values", async () => {
  const { config } = await loadConfig({ file: SEED_EXAMPLE, env: {} });
  assert.equal(config.gateway.runtime_mode, "bridge_client");
  assert.equal(config.gateway.url, "ws://127.0.0.1:18789/ws");
  assert.equal(config.gateway.server.auth_mode, "auto");
  assert.equal(config.runtime.decision_event, "security.decision");
  assert.equal(config.runtime.session_queue_mode, "followup");
  assert.equal(config.security.review_threshold, 35);
  assert.equal(config.security.block_threshold, 65);
  // The seed's plugin keys land on the plugins that own them.
  assert.deepEqual(entry(config, "defender-command").allowedCommandPrefixes, ["git ", "ls", "cat ", "rg "]);
  assert.equal(entry(config, "defender-command").blockedCommandPatterns.length, 6);
  assert.equal(entry(config, "defender-prompt").promptInjectionPatterns.length, 5);
  assert.deepEqual(entry(config, "decision-policy").toolPolicies, { gateway: "review", nodes: "review" });
  assert.equal(entry(config, "decision-policy").channelRiskBonus.telegram, 6);
  assert.equal(entry(config, "tool-policy").profile, "full");
  assert.equal(entry(config, "loop-guard").criticalThreshold, 20);
  assert.equal(entry(config, "virustotal").apiKey, "");
  assert.equal(entry(config, "virustotal").timeoutMs, 1400);
  assert.equal(entry(config, "quarantine").dir, ".openclaw-rs/quarantine");
  assert.deepEqual(entry(config, "host-integrity").protectPaths, ["./openclaw.mjs", "./dist/index.js"]);
  assert.deepEqual(Object.keys(config.security).sort(), ["block_threshold", "review_threshold"], "only the host's own keys stay");
});

test("the seed's keys and the plugin keys they became: one spelling at a time, no stray keys in seed tables", async () => {
  const dir = await tempDir();
  const file = join(dir, "talon.json");
  await writeFile(
    file,
    JSON.stringify({ security: { protect_paths: ["a"] }, plugins: { entries: { "host-integrity": { config: { protectPaths: ["b"] } } } } }),
  );
  await assert.rejects(
    loadConfig({ file, env: {} }),
    (error: { code: string; details: { issues: { path: string; message: string }[] } }) => {
      assert.equal(error.code, "TALON_CONFIG_INVALID");
      assert.equal(error.details.issues[0]!.path, "security.protect_paths");
      assert.match(error.details.issues[0]!.message, /plugins\.entries\.host-integrity\.config\.protectPaths are both set/);
      return true;
    },
  );
  await writeFile(file, JSON.stringify({ security: { tool_runtime_policy: { profile: "coding", shape: "round" } } }));
  await assert.rejects(loadConfig({ file, env: {} }), (error: { details: { issues: { path: string }[] } }) => {
    assert.deepEqual(
      error.details.issues.map((issue) => issue.path),
      ["security.tool_runtime_policy.shape"],
    );
    return true;
  });
  await writeFile(file, JSON.stringify({ security: { quarantine_dir: "q" }, plugins: { entries: { quarantine: { optional: true } } } }));
  const { config, movedKeys } = await loadConfig({ file, env: {} });
  assert.deepEqual(entry(config, "quarantine"), { dir: "q" });
  assert.equal(config.plugins.entries.quarantine!.optional, true, "the entry's own settings are kept");
  assert.deepEqual(movedKeys, [{ from: "security.quarantine_dir", to: "plugins.entries.quarantine.config.dir" }]);
});

test("every seed key (seed-defender §10.2) is accepted, including the by_provider alias", async () => {
  const dir = await tempDir();
  const file = join(dir, "openclaw-rs.toml");
  await writeFile(
    file,
    `[gateway]
url = "ws://127.0.0.1:9/ws"
token = "t"
password = "p"
runtime_mode = "standalone_server"
[gateway.server]
bind = "127.0.0.1:0"
auth_mode = "password"
handshake_timeout_ms = 5000
event_queue_capacity = 64
reload_interval_secs = 0
[runtime]
audit_only = true
decision_event = "x.decision"
worker_concurrency = 2
max_queue = 32
session_queue_mode = "collect"
group_activation_mode = "always"
eval_timeout_ms = 900
memory_sample_secs = 5
idempotency_ttl_secs = 60
idempotency_max_entries = 100
session_state_path = "state.sqlite"
[security]
review_threshold = 20
block_threshold = 60
virustotal_api_key = "k"
virustotal_timeout_ms = 700
policy_bundle_path = "/etc/bundle.json"
policy_bundle_key = "secret"
quarantine_dir = "q"
protect_paths = ["./a"]
allowed_command_prefixes = ["git "]
blocked_command_patterns = ["(?i)x"]
prompt_injection_patterns = ["(?i)y"]
tool_policies = { exec = "block" }
tool_risk_bonus = { exec = 40 }
channel_risk_bonus = { discord = 15 }
[security.tool_runtime_policy]
profile = "coding"
allow = ["group:fs"]
deny = ["exec"]
[security.tool_runtime_policy.by_provider.openai]
allow = ["group:runtime"]
deny = ["gateway"]
[security.tool_runtime_policy.by_provider."openai/gpt-5"]
profile = "minimal"
[security.tool_runtime_policy.loop_detection]
enabled = true
history_size = 12
warning_threshold = 3
critical_threshold = 6
`,
  );
  const { config } = await loadConfig({ file, env: {} });
  assert.equal(config.gateway.server.auth_mode, "password");
  assert.equal(config.runtime.session_queue_mode, "collect");
  assert.deepEqual(entry(config, "tool-policy").byProvider.openai, { allow: ["group:runtime"], deny: ["gateway"] });
  assert.equal(entry(config, "tool-policy").byProvider["openai/gpt-5"]!.profile, "minimal");
  assert.equal(entry(config, "loop-guard").historySize, 12);
  assert.equal(entry(config, "virustotal").apiKey, "k");
  assert.equal(config.security.policy_bundle_key, "secret");
});

test("JSON and talon.config.ts (defineConfig) load; a default file is found in the working directory", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "talon.config.json"), JSON.stringify({ security: { review_threshold: 30 } }));
  assert.equal((await loadConfig({ file: join(dir, "talon.config.json"), env: {} })).config.security.review_threshold, 30);
  const tsDir = await tempDir();
  await writeFile(
    join(tsDir, "talon.config.ts"),
    `import { defineConfig } from "@talon/sdk";\nconst threshold: number = 25;\nexport default defineConfig({ security: { review_threshold: threshold }, gateway: { server: { bind: "127.0.0.1:1234" } } });\n`,
  );
  const found = await loadConfig({ cwd: tsDir, env: {} });
  assert.equal(found.file, join(tsDir, "talon.config.ts"));
  assert.equal(found.config.security.review_threshold, 25);
  assert.equal(found.config.gateway.server.bind, "127.0.0.1:1234");
  const none = await loadConfig({ cwd: await tempDir(), env: {} });
  assert.equal(none.file, undefined);
  assert.equal(none.config.gateway.runtime_mode, "standalone_server", "Talon's default mode is standalone");
});

test("environment overrides: the seed's OPENCLAW_RS_* and Talon's TALON_* (which wins)", async () => {
  const { config, appliedEnv } = await loadConfig({
    file: SEED_EXAMPLE,
    env: {
      OPENCLAW_RS_GATEWAY_TOKEN: "from-seed",
      TALON_GATEWAY_TOKEN: "from-talon",
      OPENCLAW_RS_GATEWAY_RUNTIME_MODE: "Server",
      OPENCLAW_RS_MAX_QUEUE: "4",
      OPENCLAW_RS_WORKER_CONCURRENCY: "+3",
      OPENCLAW_RS_IDEMPOTENCY_TTL_SECS: "12 ",
      OPENCLAW_RS_AUDIT_ONLY: "yes",
      OPENCLAW_RS_ALLOWED_COMMAND_PREFIXES: "git, npm ,, make",
      OPENCLAW_RS_VT_API_KEY: "vt-from-env",
      OPENCLAW_RS_GROUP_ACTIVATION: "always",
      OPENCLAW_RS_POLICY_BUNDLE_PATH: "   ",
      TALON_DATA_DIR: "/var/lib/talon",
      TALON_LOG_LEVEL: "debug",
    },
  });
  assert.equal(config.gateway.token, "from-talon");
  assert.equal(config.gateway.runtime_mode, "standalone_server");
  assert.equal(config.runtime.max_queue, 16, "floored like the seed");
  assert.equal(config.runtime.worker_concurrency, 3);
  assert.equal(config.runtime.idempotency_ttl_secs, 300, "a malformed integer leaves the value unchanged");
  assert.equal(config.runtime.audit_only, true);
  assert.deepEqual(entry(config, "defender-command").allowedCommandPrefixes, ["git", "npm", "make"], "over the file's seed key");
  assert.equal(config.runtime.group_activation_mode, "always");
  assert.equal(config.security.policy_bundle_path, undefined);
  assert.equal(config.data_dir, "/var/lib/talon");
  assert.equal(config.log.level, "debug");
  assert.equal(entry(config, "virustotal").apiKey, "vt-from-env", "a seed variable of a moved key lands on the plugin's key");
  assert.ok(appliedEnv.some((e) => e.variable === "TALON_GATEWAY_TOKEN" && e.path === "gateway.token"));
  assert.ok(appliedEnv.some((e) => e.variable === "OPENCLAW_RS_VT_API_KEY" && e.path === "plugins.entries.virustotal.config.apiKey"));
  assert.ok(!JSON.stringify(appliedEnv).includes("from-talon"), "applied-env report never carries values");
});

test("environment overrides do not mutate the raw config they are applied to", () => {
  const raw = { gateway: { token: "file" } };
  const { raw: overridden } = applyEnvOverrides(raw, { TALON_GATEWAY_TOKEN: "env" });
  assert.equal(raw.gateway.token, "file");
  assert.equal((overridden.gateway as { token: string }).token, "env");
});

test("an invalid config reports every problem with its key path and a hint", async () => {
  const dir = await tempDir();
  const file = join(dir, "talon.toml");
  await writeFile(
    file,
    `[security]\nreview_threshold = "high"\nblock_threshold = 300\nunknown_knob = 1\n[gateway.server]\nauth_mode = "magic"\n[runtime]\nworker_concurrency = 0\n`,
  );
  await assert.rejects(
    loadConfig({ file, env: {} }),
    (error: { code: string; details: { issues: { path: string; message: string; hint: string }[] } }) => {
      assert.equal(error.code, "TALON_CONFIG_INVALID");
      const byPath = new Map(error.details.issues.map((issue) => [issue.path, issue]));
      assert.match(byPath.get("security.review_threshold")!.hint, /number/);
      assert.match(byPath.get("security.block_threshold")!.hint, /at most 255/);
      assert.match(byPath.get("security.unknown_knob")!.message, /unknown key/);
      assert.match(byPath.get("gateway.server.auth_mode")!.hint, /"auto", "none", "token", "password"/);
      return true;
    },
  );
  await writeFile(file, `[runtime]\nworker_concurrency = 0\n[security]\nreview_threshold = 70\n`);
  await assert.rejects(loadConfig({ file, env: {} }), (error: { details: { issues: { path: string; message: string }[] } }) => {
    const messages = error.details.issues.map((issue) => issue.message);
    assert.ok(messages.includes("runtime.worker_concurrency must be > 0"));
    assert.ok(messages.includes("security.review_threshold must be lower than security.block_threshold"));
    return true;
  });
  await writeFile(file, `[gateway\nbroken`);
  await assert.rejects(loadConfig({ file, env: {} }), { code: "TALON_CONFIG_PARSE" });
  await assert.rejects(loadConfig({ file: join(dir, "missing.toml"), env: {} }), { code: "TALON_CONFIG_NOT_FOUND" });
});

test("live reload applies a valid change, announces it, and keeps the old config when the new file is invalid", async () => {
  const dir = await tempDir();
  const file = join(dir, "talon.toml");
  const write = (review: number, label: string, extra = "") =>
    writeFile(
      file,
      `[gateway]\ntoken = "t"\n[gateway.server]\nbind = "127.0.0.1:0"\nreload_interval_secs = 3600\n[state]\nurl = "memory"\n[log]\nlevel = "silent"\n[security]\nreview_threshold = ${review}\n${extra}[plugins]\nbuiltin = false\nload = ["${reloadRecorder}"]\n[plugins.entries.reload-recorder.config]\nlabel = "${label}"\n`,
    );
  await write(35, "one");
  const { host } = await startTestHost({}, { file });
  events.length = 0;
  assert.equal(await host.checkConfigReload(), "unchanged");
  await write(20, "two");
  assert.equal(await host.checkConfigReload(), "applied");
  assert.equal(host.config.security.review_threshold, 20);
  assert.deepEqual(events, ["reload:security,plugins:label=two:review=20"]);
  await write(90, "three", "block_threshold = 80\nnot_a_key = true\n");
  assert.equal(await host.checkConfigReload(), "rejected");
  assert.equal(host.config.security.review_threshold, 20, "the previous config stays active");
  assert.equal(events.length, 1, "a rejected file is not announced");
});

test("every example config validates", async () => {
  const dir = fileURLToPath(new URL("../../examples/configs/", import.meta.url));
  const names = readdirSync(dir).filter((name) => /\.(toml|json|ts)$/.test(name));
  assert.ok(names.length >= 3, `example configs found: ${names.join(", ")}`);
  for (const name of names) {
    const { file } = await loadConfig({ file: join(dir, name), env: {} });
    assert.equal(file, join(dir, name), name);
  }
});
