/**
 * Load the host config: find the file, read it, move the seed's plugin keys onto their plugins
 * (legacy.ts), apply environment overrides and command-line overrides, validate. Relative paths in `plugins.load` resolve against the config file's
 * folder; every other path resolves against the working directory, as the seed's did.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TalonConfig } from "@talon/sdk";
import { applyEnvOverrides, setRawPath, type AppliedEnv } from "./env.ts";
import { currentKey, moveLegacyKeys, type MovedKey } from "./legacy.ts";
import { readConfigFile } from "./read.ts";
import { validateConfig } from "./validate.ts";

/** Files looked for in the working directory when no config is named, in order. */
export const DEFAULT_CONFIG_FILES = [
  "talon.config.ts",
  "talon.config.mts",
  "talon.config.js",
  "talon.config.mjs",
  "talon.config.json",
  "talon.toml",
  "openclaw-rs.toml",
] as const;

export interface ConfigSource {
  /** `--config FILE`; relative to `cwd`. */
  file?: string;
  /** Dotted-path overrides from command-line flags, applied after the environment. */
  overrides?: Record<string, unknown>;
  /** Already-parsed config (tests, embedding); skips file lookup. */
  inline?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: TalonConfig;
  /** Absolute path of the file read, if any. */
  file?: string;
  /** Folder config-relative paths resolve against. */
  baseDir: string;
  /** SHA-256 of the effective raw config; equal hashes mean nothing changed. */
  hash: string;
  appliedEnv: AppliedEnv[];
  /** Seed keys found in the file and moved to their plugin's key. */
  movedKeys: MovedKey[];
}

/** Which file to read, or undefined for built-in defaults. */
export function resolveConfigFile(source: ConfigSource): string | undefined {
  const cwd = source.cwd ?? process.cwd();
  const env = source.env ?? process.env;
  const named = source.file ?? env.TALON_CONFIG ?? env.OPENCLAW_RS_CONFIG;
  if (named) return resolve(cwd, named);
  for (const candidate of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Load and validate; throws ConfigError with every issue and its key path. */
export async function loadConfig(source: ConfigSource = {}): Promise<LoadedConfig> {
  const cwd = source.cwd ?? process.cwd();
  const env = source.env ?? process.env;
  let raw: Record<string, unknown> = {};
  let file: string | undefined;
  if (source.inline) raw = structuredClone(source.inline);
  else {
    file = resolveConfigFile(source);
    if (file) raw = (await readConfigFile(file)).raw;
  }
  const movedKeys = moveLegacyKeys(raw, file);
  const { raw: withEnv, applied } = applyEnvOverrides(raw, env);
  for (const [path, value] of Object.entries(source.overrides ?? {})) {
    // Overrides may use a seed key (`security.quarantine_dir`); it lands where the file's would.
    if (value !== undefined) setRawPath(withEnv, currentKey(path), value);
  }
  const config = validateConfig(withEnv, file);
  return { config, file, baseDir: file ? dirname(file) : cwd, hash: hashOf(withEnv), appliedEnv: applied, movedKeys };
}
