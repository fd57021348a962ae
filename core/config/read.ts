/**
 * Read a config file into a plain object: TOML (`.toml`), JSON (`.json`), or a module
 * (`talon.config.ts` / `.mts` / `.js` / `.mjs`) whose default export is the config.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ConfigError, errorMessage } from "@talon/sdk";
import { importModule } from "../modules/import-module.ts";

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

export function isModuleConfig(path: string): boolean {
  return MODULE_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Read and parse `path`. Module configs are always loaded fresh, so a reload sees the new file. */
export async function readConfigFile(path: string): Promise<{ raw: Record<string, unknown>; text: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new ConfigError("TALON_CONFIG_NOT_FOUND", `config file ${path} does not exist`, {
        cause: error,
        details: { file: path },
        hint: "check the --config path, or run without --config to use the defaults",
      });
    }
    throw new ConfigError("TALON_CONFIG_PARSE", `cannot read config file ${path}: ${errorMessage(error)}`, {
      cause: error,
      details: { file: path },
    });
  }
  const extension = extname(path).toLowerCase();
  let raw: unknown;
  try {
    if (extension === ".json") raw = JSON.parse(text);
    else if (isModuleConfig(path)) {
      const module = await importModule(path, { fresh: true });
      raw = module.default ?? module.config;
    } else raw = (await import("smol-toml")).parse(text);
  } catch (error) {
    throw new ConfigError("TALON_CONFIG_PARSE", `cannot parse config file ${path}: ${errorMessage(error)}`, {
      cause: error,
      details: { file: path },
      hint:
        extension === ".json"
          ? "fix the JSON syntax"
          : isModuleConfig(path)
            ? "the module must import cleanly and default-export defineConfig({...})"
            : "fix the TOML syntax",
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("TALON_CONFIG_PARSE", `config file ${path} must hold an object at its top level`, { details: { file: path } });
  }
  return { raw: raw as Record<string, unknown>, text };
}
