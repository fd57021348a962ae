/**
 * Check every configured plugin's config against its own schema without running any plugin:
 * what `talon config validate` reports after the host schema, so a wrong value under a seed key
 * that moved into a plugin (`security.protect_paths = 3`) is caught before start-up too.
 */
import { isTalonError } from "@talon/sdk";
import type { LoadedConfig } from "../config/load.ts";
import type { ConfigIssue } from "../config/validate.ts";
import { TALON_VERSION } from "../version.ts";
import { importSource } from "./load-plugins.ts";
import { validateManifest, validatePluginConfig } from "./manifest.ts";
import { resolvePluginSources } from "./resolve.ts";

/** Every problem of the plugins' configs (and of plugins that cannot be read at all). */
export async function checkPluginConfigs(loaded: LoadedConfig): Promise<ConfigIssue[]> {
  const { config, baseDir } = loaded;
  const { sources, failures } = resolvePluginSources(config, baseDir);
  const issues: ConfigIssue[] = failures
    .filter((failure) => !failure.optional)
    .map((failure) => ({
      path: "plugins",
      message: failure.error.bareMessage,
      hint: failure.error.hint ?? "check plugins.builtin and plugins.load",
    }));
  for (const source of sources) {
    try {
      const definition = validateManifest(await importSource(source, baseDir), source.spec, TALON_VERSION);
      const entry = config.plugins.entries[definition.name];
      if (entry?.enabled === false) continue;
      validatePluginConfig(definition, entry?.config);
    } catch (error) {
      if (source.optional || !isTalonError(error)) {
        if (!source.optional) issues.push({ path: "plugins", message: String(error), hint: "fix the plugin module" });
        continue;
      }
      const found = error.details?.issues as ConfigIssue[] | undefined;
      issues.push(...(found ?? [{ path: "plugins", message: error.bareMessage, hint: error.hint ?? "see the plugin's README" }]));
    }
  }
  return issues;
}
