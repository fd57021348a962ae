/**
 * `npm run bench [-- name...]`: run every test/bench/*.bench.ts in its own process (one at a
 * time, so they do not compete for the 2 cores) and print one JSON document with all results.
 * Each bench prints a single JSON object as its last line of stdout.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

const results: Record<string, unknown> = {};
let failed = false;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, "");
  process.stderr.write(`bench ${name}...\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", `${dir}${file}`], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const last = run.stdout.trim().split("\n").pop() ?? "";
  try {
    results[name] = JSON.parse(last);
  } catch {
    failed = true;
    results[name] = { error: `bench exited ${run.status} without JSON output`, output: run.stdout.slice(-2000) };
  }
}
process.stdout.write(
  `${JSON.stringify({ node: process.version, cpus: (await import("node:os")).cpus().length, date: new Date().toISOString(), results }, null, 2)}\n`,
);
process.exit(failed ? 1 : 0);
