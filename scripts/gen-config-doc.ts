/**
 * Regenerate docs/config.md from the host config schema (sdk/config.ts), the environment bindings
 * (core/config/env.ts), the table of seed keys that moved into plugins (core/config/legacy.ts) and
 * every bundled plugin's and driver's own `configSchema`, one heading each:
 *   node --import tsx scripts/gen-config-doc.ts
 * test/meta/docs.test.ts fails when the doc is out of date.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import { z } from "zod";
import { channelRuntimeSettingsSchema, isChannelDriverPlugin, talonConfigSchema, type PluginDefinition } from "../sdk/index.ts";
import { ENV_BINDINGS } from "../core/config/env.ts";
import { LEGACY_KEYS, targetPath } from "../core/config/legacy.ts";
import { listBundledPlugins } from "../core/loader/resolve.ts";

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  secret?: boolean;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" \\| ");
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" \\| ");
  if (schema.type === "array") return `${schema.items ? typeOf(schema.items) : "any"}[]`;
  if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object" && !schema.properties) {
    return `map of ${typeOf(schema.additionalProperties)}`;
  }
  return Array.isArray(schema.type) ? schema.type.join(" \\| ") : (schema.type ?? "any");
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return "";
  if (
    typeof schema.default === "object" &&
    schema.default !== null &&
    Object.keys(schema.default).length === 0 &&
    !Array.isArray(schema.default)
  )
    return "";
  return `\`${JSON.stringify(schema.default)}\``;
}

/** The variables that set `path` (a full dotted config path). */
function envFor(path: string): string {
  return ENV_BINDINGS.filter((binding) => binding.path.join(".") === path)
    .map((binding) => `\`TALON_${binding.name}\`, \`OPENCLAW_RS_${binding.name}\``)
    .join(", ");
}

function meaning(schema: JsonSchema): string {
  const text = (schema.description ?? "").replaceAll("|", "\\|");
  return schema.secret ? `**Secret** (redacted everywhere). ${text}` : text;
}

/** One row per key; `prefix` is shown, `envPrefix` is the full config path the environment sets. */
function rows(
  schema: JsonSchema,
  prefix: string[],
  envPrefix: string[],
  out: string[][],
  driverEnv: Readonly<Record<string, string>> = {},
): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, key];
    const full = [...envPrefix, key];
    const dotted = path.join(".");
    if (child.properties) {
      out.push([`**\`${dotted}\`**`, "table", "", meaning(child), ""]);
      rows(child, path, full, out);
      continue;
    }
    // A driver's own variables fill its default account's top-level keys (defineChannelDriver `env`).
    const own = prefix.length === 0 && driverEnv[key] ? `\`${driverEnv[key]}\` (default account)` : "";
    out.push([`\`${dotted}\``, typeOf(child), defaultOf(child), meaning(child), [envFor(full.join(".")), own].filter(Boolean).join(", ")]);
  }
}

function table(schema: z.ZodType, envPrefix: string[] = [], driverEnv: Readonly<Record<string, string>> = {}): string[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const out: string[][] = [];
  rows(json, [], envPrefix, out, driverEnv);
  if (out.length === 0) return ["No settings."];
  return [
    "| key | type | default | meaning | environment |",
    "| --- | --- | --- | --- | --- |",
    ...out.map((row) => `| ${row.join(" | ")} |`),
  ];
}

/** Every bundled plugin and driver, by name, in folder order. */
async function bundledDefinitions(): Promise<PluginDefinition[]> {
  const out: PluginDefinition[] = [];
  for (const [, entry] of listBundledPlugins()) out.push((await import(pathToFileURL(entry).href)).default as PluginDefinition);
  return out;
}

function pluginSection(definition: PluginDefinition): string[] {
  const name = definition.name;
  const moved = LEGACY_KEYS.filter((entry) => entry.plugin === name);
  const lines = [`### ${name}`, "", `${definition.description ?? ""} Settings: \`plugins.entries.${name}.config\`.`, ""];
  if (moved.length > 0) lines.push(`Seed keys read here: ${moved.map((entry) => `\`${entry.key}\` → \`${entry.path}\``).join(", ")}.`, "");
  const envPrefix = ["plugins", "entries", name, "config"];
  if (isChannelDriverPlugin(definition)) {
    const account = definition.channelDriver.configSchema;
    lines.push(
      "A channel driver: one account's settings (or `accounts.<id>` with one table each), plus `runtime` (see Channel runtime settings).",
      "",
      ...(account ? table(account, envPrefix, definition.channelDriver.env) : ["No account settings."]),
    );
  } else {
    lines.push(...(definition.configSchema ? table(definition.configSchema, envPrefix) : ["No settings."]));
  }
  return [...lines, ""];
}

export async function renderConfigDoc(): Promise<string> {
  const definitions = await bundledDefinitions();
  const lines = [
    "# Configuration reference",
    "",
    "Talon reads one config file: `talon.config.ts` (with `defineConfig` from `@talon/sdk`), JSON or",
    "TOML. Without `--config` it looks in the working directory for `talon.config.{ts,mts,js,mjs,json}`,",
    "`talon.toml`, then the seed's `openclaw-rs.toml`; `TALON_CONFIG` / `OPENCLAW_RS_CONFIG` name a file.",
    "An existing `openclaw-rs.toml` loads unchanged. Unknown keys are errors (`talon config validate FILE`",
    "lists every problem with its key path). Environment variables override the file; command-line flags",
    "override both. A changed file is re-read every `gateway.server.reload_interval_secs`: a valid one is",
    "applied and announced to plugins, an invalid one is logged and the previous config stays.",
    "",
    "The host reads the keys below; each plugin owns its settings under `plugins.entries.<name>.config`",
    "(one section per bundled plugin and driver further down). Fields marked **Secret** are redacted in",
    "logs, `status`, quarantine files and config dumps.",
    "",
    "Generated from `sdk/config.ts` and every bundled plugin's `configSchema` by `node --import tsx scripts/gen-config-doc.ts`.",
    "",
    "## Host",
    "",
    ...table(talonConfigSchema),
    "",
    "## Seed keys that moved into plugins",
    "",
    "The seed's `openclaw-rs.toml` keeps working: each key below is moved onto its plugin's key before",
    "validation (giving both spellings is an error). Its environment variable sets the plugin key, and a",
    "signed policy bundle overrides it there.",
    "",
    "| seed key | plugin key | environment |",
    "| --- | --- | --- |",
    ...LEGACY_KEYS.map((entry) => `| \`${entry.key}\` | \`${targetPath(entry).join(".")}\` | ${envFor(targetPath(entry).join("."))} |`),
    "",
    "## Plugins",
    "",
    ...definitions.flatMap(pluginSection),
    "## Channel runtime settings",
    "",
    "Every driver's `plugins.entries.<id>.config.runtime`: how the core chunks, paces, retries and gates its messages.",
    "",
    ...table(channelRuntimeSettingsSchema),
  ];
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fileURLToPath(new URL("../docs/config.md", import.meta.url)), await renderConfigDoc());
}
