/**
 * Where plugins come from: bundled folders (`plugins/<name>`, `drivers/<id>`), local paths and
 * npm packages named in `plugins.load`. A bundled plugin and a third party's plugin then go
 * through exactly the same validation, ordering and setup.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginLoadError, type TalonConfig } from "@talon/sdk";

/** The Talon checkout or package root (the folder holding core/, plugins/, drivers/). */
export const TALON_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

const ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];
const BUNDLED_FOLDERS = ["plugins", "drivers"] as const;

export type PluginSourceKind = "bundled" | "path" | "npm";

export interface PluginSource {
  /** As written in config, or `plugins/<name>` for bundled ones. */
  spec: string;
  kind: PluginSourceKind;
  /** Entry file (path kinds) or package name (npm). */
  target: string;
  optional: boolean;
  /** Folder name for bundled plugins (= the plugin's name by rule). */
  bundledName?: string;
}

function entryIn(dir: string): string | undefined {
  for (const file of ENTRY_FILES) {
    const path = join(dir, file);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Every bundled plugin folder, by name. */
export function listBundledPlugins(root = TALON_ROOT): Map<string, string> {
  const found = new Map<string, string>();
  for (const folder of BUNDLED_FOLDERS) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      if (!statSync(dir).isDirectory()) continue;
      const entry = entryIn(dir);
      if (entry) found.set(name, entry);
    }
  }
  return found;
}

function resolveLocal(spec: string, baseDir: string): string {
  const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const entry = entryIn(path);
    if (entry) return entry;
    const pkg = join(path, "package.json");
    if (existsSync(pkg)) return path; // resolved through package.json by the importer
    throw new PluginLoadError("TALON_PLUGIN_NOT_FOUND", `plugin folder ${path} has no index.ts, index.js or package.json`, {
      hint: "add an entry file that default-exports definePlugin({...})",
    });
  }
  if (existsSync(path)) return path;
  throw new PluginLoadError("TALON_PLUGIN_NOT_FOUND", `plugin path ${spec} does not exist (resolved to ${path})`, {
    hint: "paths in plugins.load resolve against the config file's folder",
  });
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith(".") || spec.startsWith("/") || isAbsolute(spec);
}

/**
 * The plugins to load, in order: bundled ones (alphabetical) then `plugins.load` in config order.
 * Resolution problems of optional sources are returned, not thrown.
 */
export function resolvePluginSources(
  config: TalonConfig,
  baseDir: string,
  root = TALON_ROOT,
): { sources: PluginSource[]; failures: { spec: string; optional: boolean; error: PluginLoadError }[] } {
  const sources: PluginSource[] = [];
  const failures: { spec: string; optional: boolean; error: PluginLoadError }[] = [];
  const bundled = listBundledPlugins(root);
  const { builtin, entries } = config.plugins;
  const wanted = builtin === true ? [...bundled.keys()] : builtin === false ? [] : builtin;
  for (const name of wanted) {
    const entry = bundled.get(name);
    const optional = entries[name]?.optional ?? false;
    if (!entry) {
      failures.push({
        spec: name,
        optional,
        error: new PluginLoadError("TALON_PLUGIN_NOT_FOUND", `bundled plugin "${name}" does not exist`, {
          plugin: name,
          hint: `plugins.builtin names bundled plugins; known: ${[...bundled.keys()].join(", ")}`,
        }),
      });
      continue;
    }
    if (entries[name]?.enabled === false) continue;
    sources.push({ spec: `bundled:${name}`, kind: "bundled", target: entry, optional, bundledName: name });
  }
  for (const item of config.plugins.load) {
    const spec = typeof item === "string" ? item : item.source;
    const optional = typeof item === "string" ? false : item.optional;
    if (isPathSpec(spec)) {
      try {
        sources.push({ spec, kind: "path", target: resolveLocal(spec, baseDir), optional });
      } catch (error) {
        failures.push({ spec, optional, error: error as PluginLoadError });
      }
    } else {
      sources.push({ spec, kind: "npm", target: spec, optional });
    }
  }
  return { sources, failures };
}
