/** Talon's version (from its package.json); plugins' `hostRange` is checked against it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TALON_ROOT } from "./loader/resolve.ts";

export const TALON_VERSION: string = JSON.parse(readFileSync(join(TALON_ROOT, "package.json"), "utf8")).version;
