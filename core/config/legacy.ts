/**
 * The one table of seed and host keys that moved into a plugin's own config. The seed's
 * `openclaw-rs.toml` (and a Talon config written before the move) still loads unchanged: before
 * validation each key below is moved to `plugins.entries.<plugin>.config.<path>`; its seed
 * environment variable sets that key, and a signed policy bundle overrides it there. The plugin's
 * `configSchema` then validates it, with the plugin's defaults.
 */
import { ConfigError, isObject, type PolicyOverrides } from "@talon/sdk";
import { commaList, verbatim, type EnvBinding, type Parser } from "./env-parse.ts";
import type { ConfigIssue } from "./validate.ts";

/** A seed key and where it lives now. */
export interface LegacyKey {
  /** The seed's dotted key, e.g. `security.protect_paths`. */
  readonly key: string;
  /** The plugin that owns it now. */
  readonly plugin: string;
  /** Its key in that plugin's config. */
  readonly path: string;
  /** The seed's environment variable (without `OPENCLAW_RS_` / `TALON_`) and how it is read. */
  readonly env?: { readonly name: string; readonly parse: Parser };
  /** The signed-policy-bundle member that overrides it. */
  readonly bundle?: keyof PolicyOverrides;
}

/** Seed keys (seed-defender §10.2) that belong to a plugin. */
export const LEGACY_KEYS: readonly LegacyKey[] = [
  { key: "security.virustotal_api_key", plugin: "virustotal", path: "apiKey", env: { name: "VT_API_KEY", parse: verbatim } },
  { key: "security.virustotal_timeout_ms", plugin: "virustotal", path: "timeoutMs" },
  { key: "security.quarantine_dir", plugin: "quarantine", path: "dir" },
  { key: "security.protect_paths", plugin: "host-integrity", path: "protectPaths" },
  {
    key: "security.allowed_command_prefixes",
    plugin: "defender-command",
    path: "allowedCommandPrefixes",
    env: { name: "ALLOWED_COMMAND_PREFIXES", parse: commaList },
    bundle: "allowed_command_prefixes",
  },
  {
    key: "security.blocked_command_patterns",
    plugin: "defender-command",
    path: "blockedCommandPatterns",
    bundle: "blocked_command_patterns",
  },
  {
    key: "security.prompt_injection_patterns",
    plugin: "defender-prompt",
    path: "promptInjectionPatterns",
    bundle: "prompt_injection_patterns",
  },
  { key: "security.tool_policies", plugin: "decision-policy", path: "toolPolicies", bundle: "tool_policies" },
  { key: "security.tool_risk_bonus", plugin: "decision-policy", path: "toolRiskBonus", bundle: "tool_risk_bonus" },
  { key: "security.channel_risk_bonus", plugin: "decision-policy", path: "channelRiskBonus", bundle: "channel_risk_bonus" },
  { key: "security.tool_runtime_policy.profile", plugin: "tool-policy", path: "profile" },
  { key: "security.tool_runtime_policy.allow", plugin: "tool-policy", path: "allow" },
  { key: "security.tool_runtime_policy.deny", plugin: "tool-policy", path: "deny" },
  { key: "security.tool_runtime_policy.byProvider", plugin: "tool-policy", path: "byProvider" },
  { key: "security.tool_runtime_policy.by_provider", plugin: "tool-policy", path: "byProvider" },
  { key: "security.tool_runtime_policy.loop_detection.enabled", plugin: "loop-guard", path: "enabled" },
  { key: "security.tool_runtime_policy.loop_detection.history_size", plugin: "loop-guard", path: "historySize" },
  { key: "security.tool_runtime_policy.loop_detection.warning_threshold", plugin: "loop-guard", path: "warningThreshold" },
  { key: "security.tool_runtime_policy.loop_detection.critical_threshold", plugin: "loop-guard", path: "criticalThreshold" },
];

/** Seed tables that hold only moved keys: anything else in them is an unknown key. */
const LEGACY_TABLES = ["security.tool_runtime_policy.loop_detection", "security.tool_runtime_policy"];

/** The config path a legacy key lands on. */
export function targetPath(entry: LegacyKey): string[] {
  return ["plugins", "entries", entry.plugin, "config", ...entry.path.split(".")];
}

/** A dotted key as it is written today: a seed key that moved becomes its plugin path, anything else is itself. */
export function currentKey(key: string): string {
  const entry = LEGACY_KEYS.find((candidate) => candidate.key === key);
  return entry ? targetPath(entry).join(".") : key;
}

/** The environment variables of moved keys, landing on the plugin keys. */
export const LEGACY_ENV_BINDINGS: readonly EnvBinding[] = LEGACY_KEYS.flatMap((entry) =>
  entry.env ? [{ name: entry.env.name, path: targetPath(entry), parse: entry.env.parse }] : [],
);

/** The value at `path`, or undefined. */
export function getPath(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Set `path` (creating plain objects on the way); `undefined` deletes the leaf. */
export function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const leaf = path[path.length - 1]!;
  if (value === undefined) delete node[leaf];
  else node[leaf] = value;
}

/** Remove the leaf at `path`; returns whether it existed. */
function takePath(root: Record<string, unknown>, path: readonly string[]): { found: boolean; value?: unknown } {
  const parent = getPath(root, path.slice(0, -1));
  const leaf = path[path.length - 1]!;
  if (!isObject(parent) || !Object.hasOwn(parent, leaf)) return { found: false };
  const value = parent[leaf];
  delete parent[leaf];
  return { found: true, value };
}

/** A seed key moved to its plugin key. */
export interface MovedKey {
  from: string;
  to: string;
}

/**
 * Move every seed key of `raw` (changed in place) to its plugin key. Throws TALON_CONFIG_INVALID
 * when a key is given in both spellings, or a seed table holds a key that is not a seed key.
 */
export function moveLegacyKeys(raw: Record<string, unknown>, file?: string): MovedKey[] {
  const moved: MovedKey[] = [];
  const issues: ConfigIssue[] = [];
  for (const entry of LEGACY_KEYS) {
    const taken = takePath(raw, entry.key.split("."));
    if (!taken.found) continue;
    const target = targetPath(entry);
    const to = target.join(".");
    if (getPath(raw, target) !== undefined) {
      issues.push({
        path: entry.key,
        message: `${entry.key} and ${to} are both set`,
        hint: `keep one; ${entry.key} is the seed's spelling of ${to}`,
      });
      continue;
    }
    setPath(raw, target, taken.value);
    moved.push({ from: entry.key, to });
  }
  for (const table of LEGACY_TABLES) {
    const path = table.split(".");
    const left = getPath(raw, path);
    if (!isObject(left)) continue;
    for (const key of Object.keys(left))
      issues.push({
        path: `${table}.${key}`,
        message: `unknown key "${key}"`,
        hint: "remove the key or check its spelling against docs/config.md",
      });
    if (Object.keys(left).length === 0) takePath(raw, path);
  }
  if (issues.length > 0) {
    throw new ConfigError(
      "TALON_CONFIG_INVALID",
      `invalid config${file ? ` in ${file}` : ""}:\n${issues.map((issue) => `${issue.path}: ${issue.message} (${issue.hint})`).join("\n")}`,
      { details: { file, issues }, hint: "fix the keys listed above; `talon config validate FILE` checks a file without starting" },
    );
  }
  return moved;
}
