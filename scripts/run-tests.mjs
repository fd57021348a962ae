#!/usr/bin/env node
// Run a test suite with Node's own runner and tsx. Node 20 has no test-file globs, so files are
// collected here. Suites by file name:
//   *.test.ts           default suite (npm test)
//   *.interop.test.ts   against the real upstream OpenClaw CLI and gateway (npm run test:interop)
//   *.browser.test.ts   in headless Chromium (npm run test:browser)
//   *.services.test.ts  against local servers from Debian packages, e.g. redis-server (npm run test:services)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const suite = args.includes("--suite") ? args[args.indexOf("--suite") + 1] : "default";
const filters = args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--suite");
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".talon"]);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const all = collect(root, []).sort();
const inSuite = (file) => {
  if (file.endsWith(".interop.test.ts")) return suite === "interop";
  if (file.endsWith(".browser.test.ts")) return suite === "browser";
  if (file.endsWith(".services.test.ts")) return suite === "services";
  return suite === "default";
};
const files = all.filter(inSuite).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error(`no test files for suite ${suite}${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(1);
}
const concurrency = suite === "default" ? "2" : "1";
// The host hands itself to @talon/sdk/testing before any test loads (plugin and driver tests use only the kit).
const register = "./core/testing/register.ts";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--import", register, "--test", `--test-concurrency=${concurrency}`, ...files],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TALON_TEST: "1" },
  },
);
process.exit(result.status ?? 1);
