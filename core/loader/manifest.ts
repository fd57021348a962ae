/**
 * Validate what a plugin module exports before its setup runs: the definePlugin() manifest,
 * the host version range, and the plugin's config against its own schema.
 */
import semver from "semver";
import { PluginLoadError, isPluginDefinition, type PluginDefinition } from "@talon/sdk";
import { toConfigIssues, formatConfigIssues } from "../config/validate.ts";

const NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$|^@[a-z0-9-]+\/[a-z0-9][a-z0-9-]*$/;

interface ZodLike {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: unknown[] } };
}

function isZodLike(value: unknown): value is ZodLike {
  return typeof value === "object" && value !== null && typeof (value as ZodLike).safeParse === "function";
}

/** Check the module's default export; returns the definition. `spec` names the source in errors. */
export function validateManifest(module: Record<string, unknown>, spec: string, hostVersion: string): PluginDefinition {
  const candidate = module.default;
  if (!isPluginDefinition(candidate)) {
    throw new PluginLoadError("TALON_PLUGIN_MANIFEST", `${spec} does not default-export a plugin`, {
      hint: "default-export definePlugin({ name, version, setup }) or defineChannelDriver({...}) from @talon/sdk",
    });
  }
  const def = candidate as PluginDefinition;
  const problems: string[] = [];
  if (typeof def.name !== "string" || !NAME.test(def.name)) problems.push(`name must be kebab-case (got ${JSON.stringify(def.name)})`);
  if (typeof def.version !== "string" || semver.valid(def.version) === null)
    problems.push(`version must be a semver version (got ${JSON.stringify(def.version)})`);
  if (def.hostRange !== undefined && (typeof def.hostRange !== "string" || semver.validRange(def.hostRange) === null)) {
    problems.push(`hostRange must be a semver range (got ${JSON.stringify(def.hostRange)})`);
  }
  if (def.dependsOn !== undefined && (!Array.isArray(def.dependsOn) || def.dependsOn.some((dep) => typeof dep !== "string"))) {
    problems.push("dependsOn must be an array of plugin names");
  }
  if (def.configSchema !== undefined && !isZodLike(def.configSchema)) problems.push("configSchema must be a zod schema");
  if (typeof def.setup !== "function") problems.push("setup must be a function");
  const name = typeof def.name === "string" ? def.name : undefined;
  if (problems.length > 0) {
    throw new PluginLoadError("TALON_PLUGIN_MANIFEST", `plugin manifest of ${spec} is invalid: ${problems.join("; ")}`, { plugin: name });
  }
  if (def.hostRange !== undefined && !semver.satisfies(hostVersion, def.hostRange, { includePrerelease: true })) {
    throw new PluginLoadError(
      "TALON_PLUGIN_HOST_RANGE",
      `plugin ${def.name} needs Talon ${def.hostRange}, but this is Talon ${hostVersion}`,
      {
        plugin: def.name,
        hint: "install a plugin version made for this Talon, or upgrade Talon",
      },
    );
  }
  return def;
}

/** Parse the plugin's config with its schema; the error lists every failing key path. */
export function validatePluginConfig(def: PluginDefinition, raw: unknown): unknown {
  if (!def.configSchema) {
    if (raw !== undefined && raw !== null && !(typeof raw === "object" && Object.keys(raw as object).length === 0)) {
      throw new PluginLoadError(
        "TALON_PLUGIN_CONFIG",
        `plugin ${def.name} takes no config, but plugins.entries.${def.name}.config is set`,
        {
          plugin: def.name,
          hint: `remove plugins.entries.${def.name}.config`,
        },
      );
    }
    return undefined;
  }
  const result = (def.configSchema as unknown as ZodLike).safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = toConfigIssues(result.error as never, ["plugins", "entries", def.name, "config"]);
  throw new PluginLoadError("TALON_PLUGIN_CONFIG", `plugin ${def.name} config is invalid:\n${formatConfigIssues(issues)}`, {
    plugin: def.name,
    details: { issues },
    hint: "fix the keys listed above",
  });
}
