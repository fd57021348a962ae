import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Decision } from "@talon/sdk";
import { createTestHost, runTalon } from "@talon/sdk/testing";

const tempDir = () => mkdtemp(join(tmpdir(), "talon-integrity-"));

/** Wait for a condition (never a fixed sleep): poll until `check` returns a truthy value or the time limit passes. */
async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function integrityHost(paths: string[], dir: string, plugin: Record<string, unknown> = {}) {
  const host = await createTestHost({
    plugins: [new URL("./index.ts", import.meta.url)],
    config: { state: { url: `sqlite://${join(dir, "talon.sqlite")}` } },
    pluginConfig: { "host-integrity": { intervalMs: 100, protectPaths: paths, ...plugin } },
  });
  const decide = async (): Promise<Decision> => (await host.decide({ id: `i-${Math.random()}`, prompt: "hello" })).decision;
  const status = () => host.call("security.integrity.status", {}) as Promise<{ alerts: string[]; errors: string[]; ok: boolean }>;
  return { host, stop: () => host.stop(), decide, status };
}

test("a changed file raises risk on every action, across a restart, until an operator rebaselines", async () => {
  const dir = await tempDir();
  const file = join(dir, "openclaw.mjs");
  await writeFile(file, "original");
  const first = await integrityHost([file], dir);
  assert.equal((await first.decide()).action, "allow");
  await writeFile(file, "tampered");
  const decision: Decision = await waitFor(async () => {
    const d = await first.decide();
    return d.tags.includes("host_integrity") ? d : undefined;
  }, "the periodic check to see the change");
  assert.equal(decision.action, "review", "+55 on its own");
  assert.match(
    decision.reasons.join(" "),
    /integrity mismatch: .*openclaw\.mjs hash changed \(baseline=[0-9a-f]{64}, current=[0-9a-f]{64}\)/,
  );
  assert.ok((await first.decide()).tags.includes("host_integrity"), "every action, not one per 20 s");
  await first.stop();

  const second = await integrityHost([file], dir);
  assert.ok((await second.decide()).tags.includes("host_integrity"), "a restart does not re-baseline the tampered file");
  const result = (await second.host.call("security.integrity.rebaseline", {})) as { ok: boolean; rebaselined: string[] };
  assert.deepEqual([result.ok, result.rebaselined], [true, [file]]);
  assert.ok(!(await second.decide()).tags.includes("host_integrity"));
  await assert.rejects(second.host.call("security.integrity.rebaseline", { paths: ["/etc/passwd"] }), /not a protected path/);
});

test("vanished files, files missing at start that appear, and protected directories are watched", async () => {
  const dir = await tempDir();
  const kept = join(dir, "index.js");
  const later = join(dir, "later.js");
  const folder = join(dir, "dist");
  await writeFile(kept, "x");
  await mkdir(folder);
  await writeFile(join(folder, "a.js"), "a");
  const { status } = await integrityHost([kept, later, folder], dir);
  assert.equal((await status()).ok, true);
  await rm(kept);
  await writeFile(later, "new");
  await writeFile(join(folder, "b.js"), "b");
  const { alerts } = await status();
  assert.ok(alerts.includes(`${kept} is missing`));
  assert.ok(alerts.includes(`${later} appeared after the baseline was taken`));
  assert.ok(alerts.some((alert) => alert.startsWith(`${folder} changed: b.js`)));
});

test("paths that cannot be checked give a clear error finding instead of stopping start-up", async () => {
  const dir = await tempDir();
  const fifo = join(dir, "pipe");
  execFileSync("mkfifo", [fifo]);
  const big = join(dir, "big");
  await mkdir(big);
  for (const name of ["1", "2", "3", "4"]) await writeFile(join(big, name), name);
  const { decide, status } = await integrityHost([fifo, big], dir, { maxDirFiles: 3 });
  const { errors } = await status();
  assert.ok(errors.some((error) => error.includes(fifo) && error.includes("not a regular file or directory")));
  assert.ok(errors.some((error) => error.includes(big) && error.includes("more than 3 files")));
  const decision = await decide();
  assert.ok(decision.tags.includes("host_integrity_error"));
  assert.ok(decision.reasons.some((reason) => reason.includes("run `talon integrity rebaseline`")));
});

test("`talon integrity status` and `rebaseline` work on the store a running host uses", async () => {
  const dir = await tempDir();
  const file = join(dir, "openclaw.mjs");
  await writeFile(file, "v1");
  const configFile = join(dir, "talon.json");
  await writeFile(
    configFile,
    JSON.stringify({
      data_dir: join(dir, "data"),
      state: { url: `sqlite://${join(dir, "talon.sqlite")}` },
      log: { level: "silent" },
      security: { protect_paths: [file] },
    }),
  );
  const running = await integrityHost([file], dir);
  const talon = (...argv: string[]) => runTalon(argv, { cwd: dir });
  assert.equal((await talon("integrity", "status", "--config", configFile)).code, 0);
  await writeFile(file, "v2");
  const changed = await talon("integrity", "status", "--config", configFile);
  assert.equal(changed.code, 7);
  assert.ok(changed.out.includes("MISMATCH"));
  await waitFor(async () => (await running.decide()).tags.includes("host_integrity"), "the running host to see the change");
  const rebaselined = await talon("integrity", "rebaseline", "--config", configFile, "--json");
  assert.equal(rebaselined.code, 0, rebaselined.err);
  assert.deepEqual(JSON.parse(rebaselined.out).rebaselined, [file]);
  await waitFor(async () => !(await running.decide()).tags.includes("host_integrity"), "the running host to read the new baseline");
  assert.equal((await talon("integrity", "rebaseline", "--config", configFile, "--path", "/nope")).code, 1);
  const help = await talon("--help");
  assert.match(help.out, /integrity status .*\(host-integrity\)/, "talon --help lists the plugin's commands");
});
