/**
 * Validate a raw config against the host schema and turn zod issues into one message per
 * problem: the key path, what is wrong, and what to do.
 */
import type { z } from "zod";
import { ConfigError, talonConfigSchema, type TalonConfig } from "@talon/sdk";

export interface ConfigIssue {
  /** Dotted key path, e.g. `security.review_threshold`; `(root)` for the whole file. */
  path: string;
  message: string;
  hint: string;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

function hintFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return "remove the key or check its spelling against docs/config.md";
    case "invalid_type":
      return `give a value of type ${issue.expected}`;
    case "invalid_value":
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `use a value of at least ${String(issue.minimum)}`;
    case "too_big":
      return `use a value of at most ${String(issue.maximum)}`;
    default:
      return "see docs/config.md for this key";
  }
}

/** Flatten zod issues; an unknown-keys issue becomes one issue per key. */
export function toConfigIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: dotted([...path, key]), message: `unknown key "${key}"`, hint: hintFor(issue) });
      }
      continue;
    }
    issues.push({ path: dotted(path), message: issue.message, hint: hintFor(issue) });
  }
  return issues;
}

/** Render issues for a terminal: one line per issue. */
export function formatConfigIssues(issues: readonly ConfigIssue[], file?: string): string {
  const where = file ? `${file}: ` : "";
  return issues.map((issue) => `${where}${issue.path}: ${issue.message} (${issue.hint})`).join("\n");
}

/** Validate `raw` or throw a ConfigError whose `details.issues` lists every problem. */
export function validateConfig(raw: unknown, file?: string): TalonConfig {
  const result = talonConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = toConfigIssues(result.error);
  throw new ConfigError("TALON_CONFIG_INVALID", `invalid config${file ? ` in ${file}` : ""}:\n${formatConfigIssues(issues)}`, {
    details: { file, issues },
    hint: "fix the keys listed above; `talon config validate FILE` checks a file without starting",
  });
}
