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

/**
 * Imports the scanner cannot read: a dynamic `import(...)` whose argument is not one string
 * literal, or `new URL(...)` built from pieces and handed to an import. A computed path could
 * reach any folder, so it escapes the rule; the file must say where it imports from.
 */
function computedImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\bimport\s*\(\s*([^)]*?)\s*\)/g)) {
    const argument = match[1]!;
    if (/^(["'])[^"'`]*\1$/.test(argument)) continue;
    found.push(match[0]);
  }
  for (const match of text.matchAll(/new URL\(\s*\[[^\]]*\]\s*\.join\(/g)) found.push(match[0]);
  return found;
}

/** Files allowed a computed import, each with the reason (loaders import what the user configures). */
const COMPUTED_IMPORT_ALLOWED: Record<string, string> = {
  "core/modules/import-module.ts": "the plugin and config loader imports the files a user names",
  "sdk/testing/conformance/index.ts": "imports the driver module under test, named by the test",
};

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

test("core imports nothing of plugins/, drivers/ or examples/ (a feature is loaded as a plugin, never imported)", () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, "core"))) {
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      const resolved = spec.startsWith(".") ? relative(root, join(file, "..", spec)) : spec;
      if (["plugins/", "drivers/", "examples/"].some((prefix) => resolved.startsWith(prefix)))
        offenders.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test("no computed import paths: core, the SDK, plugins, drivers and examples import by literal path only", () => {
  const offenders: string[] = [];
  for (const folder of ["core", "sdk", "plugins", "drivers", "examples"]) {
    for (const file of sources(join(root, folder))) {
      const name = relative(root, file);
      if (name in COMPUTED_IMPORT_ALLOWED) continue;
      for (const found of computedImports(readFileSync(file, "utf8"))) offenders.push(`${name}: ${found}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test("the import scanner itself sees the forms it must catch", () => {
  const text = `import a from "../../core/host.ts";\nexport { b } from "./x.ts";\nconst c = await import("../core/y.ts");\nimport "side-effect";\nimport type { T } from "@talon/sdk";`;
  assert.deepEqual(specifiers(text), ["../../core/host.ts", "./x.ts", "../core/y.ts", "side-effect", "@talon/sdk"]);
  const computed = `await import(path);\nawait import(\`../\${dir}/x.ts\`);\nawait import("./literal.ts");\nnew URL(["..", "core"].join("/"), import.meta.url);`;
  assert.deepEqual(computedImports(computed), ["import(path)", "import(`../${dir}/x.ts`)", 'new URL(["..", "core"].join(']);
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
