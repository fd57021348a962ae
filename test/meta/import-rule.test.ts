import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(m?ts|m?js)$/.test(name)) out.push(path);
  }
  return out;
}

/** Every import/export/dynamic-import specifier in a file. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm,
  )) {
    found.push((match[1] ?? match[2] ?? match[3])!);
  }
  return found;
}

test("plugins, drivers and examples import only the SDK, never core/", () => {
  const offenders: string[] = [];
  for (const folder of ["plugins", "drivers", "examples"]) {
    for (const file of sources(join(root, folder))) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        const resolved = spec.startsWith(".") ? relative(root, join(file, "..", spec)) : spec;
        if (
          resolved.startsWith("core/") ||
          resolved.startsWith("core") ||
          spec.startsWith("@talon/core") ||
          spec === "talon" ||
          spec.startsWith("talon/")
        ) {
          offenders.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test("the SDK imports nothing of core/, plugins/ or drivers/, and no runtime dependency but zod", () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, "sdk"))) {
    if (file.endsWith(".test.ts")) continue;
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      const resolved = spec.startsWith(".") ? relative(root, join(file, "..", spec)) : spec;
      const outside = ["core/", "plugins/", "drivers/", "examples/"].some((prefix) => resolved.startsWith(prefix));
      const thirdParty = !spec.startsWith(".") && !spec.startsWith("node:") && spec !== "zod" && !spec.startsWith("@talon/sdk");
      if (outside || thirdParty) offenders.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test("the import scanner itself sees the forms it must catch", () => {
  const text = `import a from "../../core/host.ts";\nexport { b } from "./x.ts";\nconst c = await import("../core/y.ts");\nimport "side-effect";\nimport type { T } from "@talon/sdk";`;
  assert.deepEqual(specifiers(text), ["../../core/host.ts", "./x.ts", "../core/y.ts", "side-effect", "@talon/sdk"]);
});

test("every bundled plugin, driver and example has a README", () => {
  const missing: string[] = [];
  for (const folder of ["plugins", "drivers", "examples"]) {
    for (const name of readdirSync(join(root, folder))) {
      const dir = join(root, folder, name);
      if (!statSync(dir).isDirectory()) continue;
      try {
        statSync(join(dir, "README.md"));
      } catch {
        missing.push(`${folder}/${name}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
