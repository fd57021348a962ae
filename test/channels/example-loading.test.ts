// The example driver is a third-party package: it depends on @talon/sdk only, and a user loads it
// from a folder path in a TOML config, exactly like any plugin.
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { MATRIX_TOKEN, createFakeMatrix } from "../../examples/driver-matrix/fake.ts";

const EXAMPLE = fileURLToPath(new URL("../../examples/driver-matrix/", import.meta.url));

test("the example package depends on @talon/sdk only and imports nothing else (its tests: the SDK's test kit)", async () => {
  const pkg = JSON.parse(await readFile(join(EXAMPLE, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ["@talon/sdk"]);
  assert.equal(pkg.devDependencies, undefined);
  for (const file of (await readdir(EXAMPLE)).filter((name) => name.endsWith(".ts"))) {
    const source = await readFile(join(EXAMPLE, file), "utf8");
    for (const [, specifier] of source.matchAll(/from\s+"([^"]+)"/g)) {
      const testOnly = file.endsWith(".test.ts") || file === "fake.ts";
      assert.ok(
        specifier === "@talon/sdk" ||
          (testOnly && specifier === "@talon/sdk/testing") ||
          specifier.startsWith("node:") ||
          specifier.startsWith("./"),
        `${file} imports ${specifier}`,
      );
    }
  }
});

test("a user loads the example from a folder path in talon.toml and it connects", async (t) => {
  const fake = createFakeMatrix();
  await fake.start();
  t.after(() => fake.stop());
  const dir = await tempDir();
  const homeserver = (fake.driverConfig() as { homeserver: string }).homeserver;
  const config = [
    'data_dir = ".talon"',
    "[state]",
    'url = "memory"',
    "[gateway]",
    'token = "file-token-0123456789"',
    "[gateway.server]",
    'bind = "127.0.0.1:0"',
    "reload_interval_secs = 0",
    "[plugins]",
    "builtin = false",
    `load = ["${relative(dir, EXAMPLE).replaceAll("\\", "/")}"]`,
    "[plugins.entries.matrix.config]",
    `homeserver = "${homeserver}"`,
    `accessToken = "${MATRIX_TOKEN}"`,
    "syncTimeoutMs = 500",
    "",
  ].join("\n");
  await writeFile(join(dir, "talon.toml"), config);
  const { host } = await startTestHost({}, { file: join(dir, "talon.toml"), cwd: dir });
  const record = host.plugins.find((plugin) => plugin.name === "matrix");
  assert.equal(record?.sourceKind, "path");
  const deadline = performance.now() + 10_000;
  let entry: any;
  while (performance.now() < deadline) {
    entry = ((await host.call("channels.status", {})) as any).channelAccounts.matrix?.[0];
    if (entry?.connected) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(entry?.connected, true);
  assert.equal(entry.mode, "polling");
});
