/**
 * The labelled corpus format `talon eval` reads: JSON Lines, one case a line —
 * `{"cmd": "…"}` (a shell command) or `{"text": "…"}` (text), `"label": "malicious" | "benign"`,
 * `"cat"` (a category name), and optionally `"role"` (where the text came from: `user`, `tool`,
 * `assistant`, `system`, `memory`) and `"tool"` (the tool a command runs under; default `exec`).
 * Other keys are kept out of the evaluation. Blank lines are skipped; anything else that is not
 * such a case is an error naming the file and the line.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ACTION_ROLES, TalonError, errorMessage, type ActionRole } from "@talon/sdk";

/** One labelled case. */
export interface EvalCase {
  /** Absolute path of the file and 1-based line number. */
  file: string;
  line: number;
  kind: "cmd" | "text";
  value: string;
  label: "malicious" | "benign";
  cat: string;
  role?: ActionRole;
  tool?: string;
}

const HINT = 'each line is {"cmd" or "text": "…", "label": "malicious" | "benign", "cat": "…", "role"?: "user" | "tool" | …}';

function invalid(file: string, line: number, message: string): TalonError {
  return new TalonError("TALON_CLI_USAGE", `${file}:${line}: ${message}`, { hint: HINT });
}

/** Parse one line; throws TALON_CLI_USAGE naming file and line. */
export function parseCaseLine(file: string, line: number, text: string): EvalCase {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(file, line, `not JSON (${errorMessage(error)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(file, line, "not a JSON object");
  const item = value as Record<string, unknown>;
  const hasCmd = item.cmd !== undefined;
  const hasText = item.text !== undefined;
  if (hasCmd === hasText) throw invalid(file, line, "give exactly one of cmd and text");
  const body = hasCmd ? item.cmd : item.text;
  if (typeof body !== "string" || body.length === 0) throw invalid(file, line, `${hasCmd ? "cmd" : "text"} must be a non-empty string`);
  if (item.label !== "malicious" && item.label !== "benign")
    throw invalid(file, line, `label must be "malicious" or "benign" (got ${JSON.stringify(item.label)})`);
  if (item.cat !== undefined && (typeof item.cat !== "string" || item.cat.trim() === ""))
    throw invalid(file, line, "cat must be a non-empty string");
  if (item.role !== undefined && !ACTION_ROLES.includes(item.role as ActionRole))
    throw invalid(file, line, `role must be one of ${ACTION_ROLES.join(", ")} (got ${JSON.stringify(item.role)})`);
  if (item.tool !== undefined && (typeof item.tool !== "string" || item.tool.trim() === ""))
    throw invalid(file, line, "tool must be a non-empty string");
  return {
    file,
    line,
    kind: hasCmd ? "cmd" : "text",
    value: body,
    label: item.label,
    cat: (item.cat as string | undefined) ?? "(none)",
    ...(item.role !== undefined ? { role: item.role as ActionRole } : {}),
    ...(item.tool !== undefined ? { tool: item.tool as string } : {}),
  };
}

/** Read and parse every case of a file (relative to `cwd`). Throws TALON_CLI_USAGE for an unreadable file or a bad line. */
export async function readCorpus(file: string, cwd: string): Promise<EvalCase[]> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TalonError("TALON_CLI_USAGE", `${path}: cannot read the corpus: ${errorMessage(error)}`, { hint: HINT });
  }
  const cases: EvalCase[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, "");
    if (line.trim() === "") continue;
    cases.push(parseCaseLine(path, index + 1, line));
  }
  if (cases.length === 0) throw new TalonError("TALON_CLI_USAGE", `${path}: no cases (the file is empty)`, { hint: HINT });
  return cases;
}
