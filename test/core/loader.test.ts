import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createHost } from "../../core/index.ts";
import { createSilentLogger } from "../../core/log.ts";
import { orderByDependencies } from "../../core/loader/order.ts";
import { listBundledPlugins } from "../../core/loader/resolve.ts";
import { events } from "../fixtures/plugins/lifecycle-recorder/record.ts";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

async function startWith(plugins: Record<string, unknown>) {
  const host = await createHost({
    config: { inline: { state: { url: "memory" }, log: { level: "silent" }, plugins: { builtin: false, ...plugins } }, env: {} },
    gateway: false,
    log: createSilentLogger(),
  });
  await host.start();
  return host;
}

async function failsWith(plugins: Record<string, unknown>, expected: { code: string; message: RegExp }) {
  await assert.rejects(startWith(plugins), (error: { code?: string; message: string }) => {
    assert.equal(error.code, expected.code, error.message);
    assert.match(error.message, expected.message);
    return true;
  });
}

test("plugins set up in dependency order, expose APIs to dependants, and stop in reverse", async () => {
  events.length = 0;
  const host = await startWith({ load: [fixture("order-second"), fixture("order-first")] });
  assert.deepEqual(events, ["setup:order-first", "setup:order-second:hello from order-first", "start:order-first", "start:order-second"]);
  const second = host.plugins.find((p) => p.name === "order-second")!;
  assert.equal(second.version, "2.1.0");
  assert.equal(second.sourceKind, "path");
  assert.ok(second.loadMs > 0);
  await host.stop();
  assert.deepEqual(events.slice(4), ["stop:order-second", "stop:order-first"]);
});

test("every bundled folder default-exports a valid plugin whose name is its folder name", async () => {
  const bundled = [...listBundledPlugins().keys()];
  assert.ok(bundled.includes("decision-policy"));
  const host = await startWith({ builtin: ["decision-policy"] });
  assert.equal(host.plugins[0]!.sourceKind, "bundled");
  await host.stop();
});

test("a plugin whose setup throws stops start-up with its name and the reason", async () => {
  await failsWith(
    { load: [fixture("throws-in-setup")] },
    { code: "TALON_PLUGIN_SETUP_FAILED", message: /throws-in-setup.*cannot reach the moon/ },
  );
});

test("a plugin whose setup hangs hits the time limit, and the error names it", async () => {
  await failsWith(
    { load: [fixture("hangs-in-setup")], entries: { "hangs-in-setup": { setup_timeout_ms: 150 } } },
    { code: "TALON_PLUGIN_SETUP_TIMEOUT", message: /hangs-in-setup setup did not finish within 150 ms/ },
  );
});

test("manifest, host range, cycles, missing plugins and dependencies each get one clear error", async () => {
  await failsWith({ load: [fixture("bad-manifest")] }, { code: "TALON_PLUGIN_MANIFEST", message: /does not default-export a plugin/ });
  await failsWith(
    { load: [fixture("needs-host-99")] },
    { code: "TALON_PLUGIN_HOST_RANGE", message: /needs-host-99 needs Talon >=99\.0\.0/ },
  );
  await failsWith(
    { load: [fixture("cycle-a"), fixture("cycle-b")] },
    { code: "TALON_PLUGIN_DEPENDENCY_CYCLE", message: /cycle-a -> cycle-b -> cycle-a/ },
  );
  await failsWith(
    { load: [fixture("needs-missing")] },
    { code: "TALON_PLUGIN_DEPENDENCY_MISSING", message: /needs-missing depends on not-installed/ },
  );
  await failsWith({ load: ["./does-not-exist"] }, { code: "TALON_PLUGIN_NOT_FOUND", message: /does-not-exist/ });
  await failsWith(
    { load: ["talon-plugin-that-is-not-installed"] },
    { code: "TALON_PLUGIN_NOT_FOUND", message: /talon-plugin-that-is-not-installed/ },
  );
  await failsWith({ load: [fixture("broken-import")] }, { code: "TALON_PLUGIN_IMPORT", message: /module top level exploded/ });
  await failsWith({ builtin: ["no-such-bundled"] }, { code: "TALON_PLUGIN_NOT_FOUND", message: /no-such-bundled/ });
});

test("a package's talon.hostRange is checked before any of its code is imported", async () => {
  events.length = 0;
  await failsWith(
    { load: [fixture("package-host-99")] },
    { code: "TALON_PLUGIN_HOST_RANGE", message: /talon-plugin-future needs Talon >=99\.0\.0.*it was not loaded/ },
  );
  assert.deepEqual(events, []);
});

test("a plugin's config is validated against its schema before setup", async () => {
  await failsWith(
    { load: [fixture("score-keyword")], entries: { "score-keyword": { config: { word: 42 } } } },
    { code: "TALON_PLUGIN_CONFIG", message: /plugins\.entries\.score-keyword\.config\.word/ },
  );
  await failsWith(
    { builtin: ["frame-extract"], entries: { "frame-extract": { config: { x: 1 } } } },
    { code: "TALON_PLUGIN_CONFIG", message: /takes no config/ },
  );
  await failsWith(
    { builtin: ["decision-policy"], entries: { "decision-policy": { config: { x: 1 } } } },
    { code: "TALON_PLUGIN_CONFIG", message: /plugins\.entries\.decision-policy\.config\.x: unknown key/ },
  );
});

test("optional plugins that fail are switched off and reported; start-up continues", async () => {
  const host = await startWith({
    load: [
      { source: fixture("throws-in-setup"), optional: true },
      { source: fixture("needs-missing"), optional: true },
      fixture("score-keyword"),
    ],
  });
  const byName = Object.fromEntries(host.plugins.map((p) => [p.name, p]));
  assert.equal(byName["throws-in-setup"]!.status, "failed");
  assert.match(byName["throws-in-setup"]!.error!, /cannot reach the moon/);
  assert.equal(byName["needs-missing"]!.status, "failed");
  assert.equal(byName["score-keyword"]!.status, "active");
  await host.stop();
});

test("a disabled plugin is not loaded", async () => {
  const host = await startWith({ load: [fixture("throws-in-setup")], entries: { "throws-in-setup": { enabled: false } } });
  assert.deepEqual(host.plugins, []);
  await host.stop();
});

test("the same plugin loaded twice is refused", async () => {
  await failsWith(
    { load: [fixture("score-keyword"), `${fixture("score-keyword")}/index.ts`] },
    { code: "TALON_PLUGIN_DUPLICATE", message: /score-keyword is loaded twice/ },
  );
});

test("an npm package plugin is resolved from the config's folder and loaded like any other", async () => {
  const dir = await tempDir();
  const pkg = join(dir, "node_modules", "talon-plugin-npm-fixture");
  await mkdir(join(dir, "node_modules", "@talon"), { recursive: true });
  await mkdir(pkg, { recursive: true });
  await symlink(join(repoRoot, "sdk"), join(dir, "node_modules", "@talon", "sdk"));
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({ name: "talon-plugin-npm-fixture", version: "3.0.0", type: "module", exports: "./index.ts" }),
  );
  await writeFile(
    join(pkg, "index.ts"),
    `import { definePlugin } from "@talon/sdk";\nexport default definePlugin({ name: "npm-fixture", version: "3.0.0", setup(ctx) { ctx.registerMethod({ name: "npm.fixture", scope: "operator.read", handler: () => ({ from: "npm" }) }); } });\n`,
  );
  await writeFile(
    join(dir, "talon.toml"),
    `[state]\nurl = "memory"\n[log]\nlevel = "silent"\n[plugins]\nbuiltin = false\nload = ["talon-plugin-npm-fixture"]\n`,
  );
  const host = await createHost({ config: { file: join(dir, "talon.toml"), env: {} }, gateway: false, log: createSilentLogger() });
  await host.start();
  assert.deepEqual(
    host.plugins.map((p) => [p.name, p.version, p.sourceKind]),
    [["npm-fixture", "3.0.0", "npm"]],
  );
  assert.deepEqual(await host.call("npm.fixture", {}), { from: "npm" });
  await host.stop();
});

test("dependency ordering is stable for independent plugins", () => {
  const ordered = orderByDependencies([
    { name: "c", dependsOn: ["a"] },
    { name: "b", dependsOn: [] },
    { name: "a", dependsOn: [] },
  ]);
  assert.deepEqual(
    ordered.map((p) => p.name),
    ["a", "c", "b"],
  );
});

test("methods of a plugin are callable by other plugins in-process", async () => {
  const { host } = await startTestHost({ plugins: { load: [fixture("order-first")] } }, { gateway: false });
  assert.equal(host.plugins.length, 1);
  await assert.rejects(host.call("no.such.method"), { code: "TALON_RPC_UNKNOWN_METHOD" });
});
