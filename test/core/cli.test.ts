import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../helpers/gateway-client.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const BIN = fileURLToPath(new URL("../../bin/talon.js", import.meta.url));
const SEED_EXAMPLE = fileURLToPath(new URL("../../parity/corpus/seed/openclaw-rs.example.toml", import.meta.url));
const keywordPlugin = fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real `talon` binary (from the sources) in `cwd` with a clean environment. */
function talon(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, TALON_SOURCE: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("--help lists the commands and the exit codes; every command has its own --help", async () => {
  const cwd = await tempDir();
  const help = await talon(["--help"], cwd);
  assert.equal(help.code, 0);
  for (const command of ["serve", "config validate", "plugins list", "doctor"]) assert.match(help.stdout, new RegExp(command));
  // Plugins contribute theirs: listed with the plugin that owns them.
  for (const [command, plugin] of [
    ["integrity status", "host-integrity"],
    ["policy sign", "decision-policy"],
    ["replay", "replay"],
  ])
    assert.match(help.stdout, new RegExp(`${command} .*\\(${plugin}\\)`));
  assert.match(help.stdout, /Exit codes: 0 ok/);
  const serveHelp = await talon(["serve", "--help"], cwd);
  assert.equal(serveHelp.code, 0);
  assert.match(serveHelp.stdout, /--data-dir DIR/);
  const unknown = await talon(["frobnicate"], cwd);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command: frobnicate/);
  const badFlag = await talon(["serve", "--no-such-flag"], cwd);
  assert.equal(badFlag.code, 2);
});

test("config validate: the seed's example passes; a bad file lists every problem and exits 3", async () => {
  const cwd = await tempDir();
  const ok = await talon(["config", "validate", SEED_EXAMPLE], cwd);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /valid \(mode bridge_client/);
  const bad = join(cwd, "bad.toml");
  await writeFile(bad, `[security]\nreview_threshold = "x"\ntypo_key = 1\n`);
  const result = await talon(["config", "validate", bad], cwd);
  assert.equal(result.code, 3);
  assert.match(result.stderr, /2 problems/);
  assert.match(result.stderr, /security\.review_threshold: .*\n\s+hint: give a value of type number/);
  assert.match(result.stderr, /security\.typo_key: unknown key "typo_key"/);
  // A seed key that moved into a plugin is checked against that plugin's schema, under its new path.
  await writeFile(bad, `[security]\nprotect_paths = 3\n[plugins.entries.virustotal.config]\ntimeoutMs = "slow"\n`);
  const plugin = await talon(["config", "validate", bad], cwd);
  assert.equal(plugin.code, 3, plugin.stdout);
  assert.match(plugin.stderr, /plugins\.entries\.host-integrity\.config\.protectPaths: /);
  assert.match(plugin.stderr, /plugins\.entries\.virustotal\.config\.timeoutMs: /);
  const missing = await talon(["config", "validate", join(cwd, "nope.toml")], cwd);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /does not exist/);
  const noArg = await talon(["config", "validate"], cwd);
  assert.equal(noArg.code, 2);
});

test("plugins list shows name, version, source and load time; a missing plugin exits 4 naming it", async () => {
  const cwd = await tempDir();
  await writeFile(
    join(cwd, "talon.toml"),
    `[state]\nurl = "memory"\n[plugins]\nbuiltin = ["decision-policy"]\nload = ["${keywordPlugin}"]\n`,
  );
  const list = await talon(["plugins", "list"], cwd);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /NAME\s+VERSION\s+SOURCE\s+STATUS\s+LOAD\s+SETUP/);
  assert.match(list.stdout, /decision-policy\s+0\.1\.0\s+bundled \(plugins\/decision-policy\/index\.ts\)\s+active\s+[\d.]+ ms/);
  assert.match(list.stdout, /score-keyword\s+1\.0\.0\s+\/.*score-keyword\s+active/);
  await writeFile(join(cwd, "talon.toml"), `[state]\nurl = "memory"\n[plugins]\nbuiltin = false\nload = ["./plugins/not-there"]\n`);
  const failed = await talon(["plugins", "list"], cwd);
  assert.equal(failed.code, 4);
  assert.match(failed.stderr, /TALON_PLUGIN_NOT_FOUND: plugin path \.\/plugins\/not-there does not exist/);
});

test("doctor checks config, store, port and plugins; a corrupt store makes it fail without touching the file", async () => {
  const cwd = await tempDir();
  await writeFile(join(cwd, "talon.toml"), `[gateway.server]\nbind = "127.0.0.1:0"\n[plugins]\nbuiltin = ["decision-policy"]\n`);
  const healthy = await talon(["doctor"], cwd);
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /config\s+ok/);
  assert.match(healthy.stdout, /store\s+ok\s+sqlite at .*talon\.sqlite/);
  assert.match(healthy.stdout, /port\s+ok/);
  assert.match(healthy.stdout, /plugins\s+ok\s+1 loaded/);
  await writeFile(join(cwd, ".talon", "talon.sqlite"), "garbage");
  const broken = await talon(["doctor"], cwd);
  assert.equal(broken.code, 7);
  assert.match(broken.stdout, /store\s+FAIL\s+TALON_STATE_CORRUPT/);
  assert.equal(await readFile(join(cwd, ".talon", "talon.sqlite"), "utf8"), "garbage");
  // serve's flags describe the start doctor checks: another data directory is healthy.
  const elsewhere = await talon(["doctor", "--data-dir", "other", "--port", "0"], cwd);
  assert.equal(elsewhere.code, 0, elsewhere.stdout + elsewhere.stderr);
  assert.match(elsewhere.stdout, /store\s+ok\s+sqlite at .*other.talon\.sqlite/);
  const badMode = await talon(["doctor", "--mode", "sideways"], cwd);
  assert.equal(badMode.code, 2, "a wrong flag is a usage error");
  assert.match(badMode.stderr, /TALON_CLI_USAGE: --mode must be standalone or bridge \(got sideways\)/);
});

test("serve: generates and stores a token, prints where it is, serves clients, stops cleanly on SIGTERM", async () => {
  const cwd = await tempDir();
  await writeFile(join(cwd, "talon.toml"), `[plugins]\nbuiltin = ["decision-policy"]\n`);
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--data-dir", "state", "--log-level", "warn"], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, TALON_SOURCE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const deadline = Date.now() + 20_000;
  while (!/gateway token stored in/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = Number(/listening on ws:\/\/127\.0\.0\.1:(\d+) \(standalone\)/.exec(stdout)![1]);
  const tokenFile = join(cwd, "state", "token");
  assert.match(stdout, new RegExp(`gateway token stored in ${tokenFile.replaceAll("/", "\\/")}`));
  const token = (await readFile(tokenFile, "utf8")).trim();
  assert.equal(token.length, 48);
  assert.ok(!stdout.includes(token), "the token itself is never printed");
  assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
  const client = await TestClient.connect(`ws://127.0.0.1:${port}`, { token });
  assert.equal((await client.call("health", {})).ok, true);
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});

test("serve: an unwritable data directory and a busy port each exit with their own code and message", async () => {
  const cwd = await tempDir();
  await writeFile(join(cwd, "talon.toml"), `[plugins]\nbuiltin = ["decision-policy"]\n`);
  await writeFile(join(cwd, "not-a-dir"), "x");
  const unwritable = await talon(["serve", "--port", "0", "--data-dir", "not-a-dir/sub"], cwd);
  assert.equal(unwritable.code, 5, unwritable.stderr);
  assert.match(
    unwritable.stderr,
    /TALON_STATE_UNWRITABLE: cannot (store the gateway token in|write to the data directory) .*not-a-dir\/sub/,
  );
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const busy = await talon(["serve", "--port", String(port), "--token", "t"], cwd);
  server.close();
  assert.equal(busy.code, 6);
  assert.match(busy.stderr, /TALON_GATEWAY_LISTEN: cannot listen on 127\.0\.0\.1:\d+.*\n\s+hint: another process uses this port/);
});

test("the compiled build (npm run build, used by npm start) runs the same CLI without a TypeScript loader", async () => {
  const build = spawn(process.execPath, [fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url))], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  build.stdout.on("data", (chunk) => (output += chunk));
  build.stderr.on("data", (chunk) => (output += chunk));
  assert.equal(await new Promise((resolve) => build.on("close", resolve)), 0, output);
  const cwd = await tempDir();
  await writeFile(
    join(cwd, "talon.toml"),
    `[state]\nurl = "memory"\n[plugins]\nbuiltin = ["decision-policy"]\nload = ["${keywordPlugin}"]\n`,
  );
  const list = await talon(["plugins", "list"], cwd, { TALON_SOURCE: "0" });
  assert.equal(list.code, 0, list.stderr);
  assert.match(
    list.stdout,
    /decision-policy\s+0\.1\.0\s+bundled \(plugins\/decision-policy\/index\.js\)/,
    "bundled plugins come from dist/",
  );
  assert.match(list.stdout, /score-keyword\s+1\.0\.0/, "a TypeScript plugin from a path still loads (jiti)");
});
