/**
 * Regenerate docs/config.md from the host config schema (sdk/config.ts) and the environment
 * bindings (core/config/env.ts):  node --import tsx scripts/gen-config-doc.ts
 * test/meta/docs.test.ts fails when the doc is out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { talonConfigSchema } from "../sdk/config.ts";
import { ENV_BINDINGS } from "../core/config/env.ts";

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
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

function envFor(path: string): string {
  return ENV_BINDINGS.filter((binding) => binding.path.join(".") === path)
    .map((binding) => `\`TALON_${binding.name}\`, \`OPENCLAW_RS_${binding.name}\``)
    .join(", ");
}

function rows(schema: JsonSchema, prefix: string[], out: string[][]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, key];
    const dotted = path.join(".");
    if (child.properties) {
      out.push([`**\`${dotted}\`**`, "table", "", child.description ?? "", ""]);
      rows(child, path, out);
      continue;
    }
    out.push([`\`${dotted}\``, typeOf(child), defaultOf(child), (child.description ?? "").replaceAll("|", "\\|"), envFor(dotted)]);
  }
}

export function renderConfigDoc(): string {
  const schema = z.toJSONSchema(talonConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const table: string[][] = [];
  rows(schema, [], table);
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
    "Each plugin's own settings go under `plugins.entries.<name>.config` (see the plugin's README).",
    "",
    "Generated from `sdk/config.ts` by `node --import tsx scripts/gen-config-doc.ts`.",
    "",
    "| key | type | default | meaning | environment |",
    "| --- | --- | --- | --- | --- |",
    ...table.map((row) => `| ${row.join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fileURLToPath(new URL("../docs/config.md", import.meta.url)), renderConfigDoc());
}
