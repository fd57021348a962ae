/**
 * Pre-import check for packaged plugins. A plugin package may declare
 * `"talon": { "hostRange": "^0.1.0" }` in its package.json; that range is checked before any of
 * the plugin's code is imported, so an incompatible plugin never runs at all. (The definePlugin
 * manifest is checked again after import, before setup.)
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import semver from "semver";
import { PluginLoadError } from "@talon/sdk";
import type { PluginSource } from "./resolve.ts";

function packageJsonFor(source: PluginSource, baseDir: string): string | undefined {
  if (source.kind === "npm") {
    for (let dir = baseDir; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", source.target, "package.json");
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) return undefined;
    }
  }
  const dir = existsSync(source.target) && statSync(source.target).isDirectory() ? source.target : dirname(source.target);
  const candidate = join(dir, "package.json");
  return existsSync(candidate) ? candidate : undefined;
}

export function preflightPackageManifest(source: PluginSource, baseDir: string, hostVersion: string): void {
  if (source.kind === "bundled") return;
  const file = packageJsonFor(source, baseDir);
  if (!file) return;
  let manifest: { name?: string; talon?: { hostRange?: unknown } };
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PluginLoadError("TALON_PLUGIN_MANIFEST", `${file} is not valid JSON`, { cause: error });
  }
  const range = manifest.talon?.hostRange;
  if (range === undefined) return;
  if (typeof range !== "string" || semver.validRange(range) === null) {
    throw new PluginLoadError("TALON_PLUGIN_MANIFEST", `${file}: talon.hostRange must be a semver range (got ${JSON.stringify(range)})`);
  }
  if (!semver.satisfies(hostVersion, range, { includePrerelease: true })) {
    throw new PluginLoadError(
      "TALON_PLUGIN_HOST_RANGE",
      `${manifest.name ?? source.spec} needs Talon ${range}, but this is Talon ${hostVersion}; it was not loaded`,
      {
        plugin: manifest.name,
        hint: "install a plugin version made for this Talon, or upgrade Talon",
      },
    );
  }
}
