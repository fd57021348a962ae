#!/usr/bin/env node
// Compile Talon to plain JavaScript in dist/ so production starts without a TypeScript loader:
//   dist/core, dist/plugins, dist/drivers   the host and the bundled plugins
//   dist/sdk                                 @talon/sdk, linked as dist/node_modules/@talon/sdk
// Runs on `npm install` (prepare) and before `npm start`. Tests run the sources through tsx.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const sdkPackage = JSON.parse(readFileSync(join(root, "sdk", "package.json"), "utf8"));
// The host reads its version from the package.json beside core/.
writeFileSync(
  join(dist, "package.json"),
  `${JSON.stringify({ name: `${rootPackage.name}-dist`, version: rootPackage.version, type: "module", private: true }, null, 2)}\n`,
);
// The compiled SDK, resolvable as @talon/sdk from every file under dist/.
const exports = Object.fromEntries(
  Object.entries(sdkPackage.exports).map(([key, target]) => [key, target.endsWith(".ts") ? target.replace(/\.ts$/, ".js") : target]),
);
writeFileSync(join(dist, "sdk", "package.json"), `${JSON.stringify({ ...sdkPackage, exports }, null, 2)}\n`);
const link = join(dist, "node_modules", "@talon", "sdk");
mkdirSync(dirname(link), { recursive: true });
symlinkSync("../../sdk", link, "dir");
console.log(`built ${dist}`);
