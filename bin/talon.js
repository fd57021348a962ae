#!/usr/bin/env node
// The `talon` command. Runs the compiled build in dist/ (made by `npm run build`, which
// `npm install` and `npm start` run). TALON_SOURCE=1, or a checkout without a build, runs the
// TypeScript sources through tsx instead (tests do this, so they always exercise the sources).
import { existsSync } from "node:fs";

const built = new URL("../dist/core/cli/run.js", import.meta.url);
if (process.env.TALON_SOURCE !== "1" && existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../core/cli/run.ts");
}
