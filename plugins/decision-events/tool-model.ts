/**
 * What an OpenClaw tool call does, as action fields (openclaw 2026.9.6 tool schemas): the command
 * an `exec`/`process` call runs, the paths `read`/`write`/`edit`/`apply_patch`/`ls` touch, the
 * URLs web and browser tools open, and the inner call of a `tool_call` dispatch. Tools never seen
 * before are modelled by their keys (path-like keys are paths, URL-looking strings are URLs).
 * Pure; bounded by the caps below. Everything else in the params is still scanned: the host's
 * walk over the params runs first (tool-call.ts).
 */
import type { ActionField } from "@talon/sdk";

/** Tools that run shell commands (the alias `bash` is normalised to `exec` by the host). */
const COMMAND_TOOLS = new Set(["exec", "bash"]);
/** `process` actions whose text goes to a running shell's stdin. */
const PROCESS_INPUT_KEYS = ["data", "text", "literal"] as const;
/** File tools and the keys holding their paths. */
const PATH_TOOLS: ReadonlyMap<string, readonly string[]> = new Map([
  ["read", ["path", "file_path", "filePath"]],
  ["write", ["path", "file_path", "filePath"]],
  ["edit", ["path", "file_path", "filePath"]],
  ["ls", ["path"]],
  ["find", ["path"]],
  ["grep", ["path"]],
  ["apply_patch", ["path"]],
]);
/** Tools that dispatch another tool: `{ id: <tool>, args: <params> }`. */
const DISPATCH_TOOLS = new Set(["tool_call"]);
/** Keys whose string values name a file or folder, for tools this model does not know. */
const PATH_KEY =
  /^(?:path|paths|file|files|filename|file_?path|dir|directory|folder|dest|destination|src|source_?path|target_?path|output_?path|cwd|workdir)$/i;
/** Keys whose string values are URLs. */
const URL_KEY = /^(?:url|urls|uri|href|link|endpoint|target_?url|base_?url|webhook(?:_?url)?)$/i;
/** A string that starts like a URL (`scheme:` then `//` or a path), or a bare host with a path. */
const URL_START = /^\s*[a-z][a-z0-9+.-]{1,31}:(?:\/\/|\/|[^\s]*@)/i;

/** Most model fields added per call, and the deepest the model looks into params. */
const MAX_MODEL_FIELDS = 256;
const MAX_MODEL_DEPTH = 8;
/** Most patch lines read for file headers. */
const MAX_PATCH_LINES = 20_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

interface Sink {
  fields: ActionField[];
  truncated: boolean;
}

function add(sink: Sink, kind: ActionField["kind"], path: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") return;
  if (sink.fields.length >= MAX_MODEL_FIELDS) {
    sink.truncated = true;
    return;
  }
  sink.fields.push({ kind, path, value });
}

function addAll(sink: Sink, kind: ActionField["kind"], path: string, value: unknown): void {
  if (Array.isArray(value)) value.forEach((item, i) => add(sink, kind, `${path}/${i}`, item));
  else add(sink, kind, path, value);
}

/** The files an apply_patch body touches: `*** Add/Update/Delete File:`, `*** Move to:`, and unified `---`/`+++` headers. */
export function patchPaths(patch: string): { paths: string[]; truncated: boolean } {
  const paths: string[] = [];
  let lines = 0;
  let start = 0;
  while (start < patch.length) {
    if (++lines > MAX_PATCH_LINES) return { paths, truncated: true };
    let end = patch.indexOf("\n", start);
    if (end < 0) end = patch.length;
    const line = patch.slice(start, end).replace(/\r$/, "");
    start = end + 1;
    const header = /^\*\*\* (?:Add|Update|Delete) File:\s*(.+)$/.exec(line) ?? /^\*\*\* Move to:\s*(.+)$/.exec(line);
    if (header) {
      paths.push(header[1]!.trim());
      continue;
    }
    const unified = /^(?:---|\+\+\+) (?:[ab]\/)?(\S.*?)(?:\t.*)?$/.exec(line);
    if (unified && unified[1] !== "/dev/null") paths.push(unified[1]!.trim());
  }
  return { paths, truncated: false };
}

/** Model one call of `tool` (normalised name) with `params`, under the JSON pointer `base`. */
function modelCall(sink: Sink, tool: string, params: unknown, base: string, depth: number): void {
  if (!isObject(params) || depth > 2) return;
  if (COMMAND_TOOLS.has(tool)) {
    add(sink, "command", `${base}/command`, params.command);
    return;
  }
  if (tool === "process") {
    for (const key of PROCESS_INPUT_KEYS) add(sink, "command", `${base}/${key}`, params[key]);
    if (Array.isArray(params.keys)) add(sink, "command", `${base}/keys`, params.keys.filter((k) => typeof k === "string").join(" "));
    if (Array.isArray(params.hex)) add(sink, "command", `${base}/hex`, decodeHexBytes(params.hex));
    return;
  }
  const pathKeys = PATH_TOOLS.get(tool);
  if (pathKeys) {
    for (const key of pathKeys) add(sink, "file", `${base}/${key}`, params[key]);
    if (tool === "apply_patch" && typeof params.input === "string") {
      const found = patchPaths(params.input);
      found.paths.forEach((path, i) => add(sink, "file", `${base}/input#file${i}`, path));
      if (found.truncated) sink.truncated = true;
    }
    return;
  }
  if (DISPATCH_TOOLS.has(tool)) {
    // The dispatched tool is judged again by its own hook; here its effects count for the dispatch too.
    const inner = typeof params.id === "string" ? params.id.trim().toLowerCase() : "";
    if (inner && !DISPATCH_TOOLS.has(inner)) modelCall(sink, inner === "bash" ? "exec" : inner, params.args, `${base}/args`, depth + 1);
    return;
  }
  modelUnknown(sink, params, base, 0);
}

/** Any other tool (browser, web_fetch, plugins' tools): path-like keys are paths, URL-like strings are URLs. */
function modelUnknown(sink: Sink, node: unknown, path: string, depth: number): void {
  if (depth > MAX_MODEL_DEPTH) {
    sink.truncated = true;
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      if (typeof item === "object" && item !== null) modelUnknown(sink, item, `${path}/${i}`, depth + 1);
      else if (typeof item === "string" && URL_START.test(item)) add(sink, "url", `${path}/${i}`, item);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    const childPath = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (typeof value === "string" || Array.isArray(value)) {
      if (URL_KEY.test(key)) addAll(sink, "url", childPath, value);
      else if (PATH_KEY.test(key)) addAll(sink, "file", childPath, value);
      else if (typeof value === "string" && URL_START.test(value)) add(sink, "url", childPath, value);
      else if (Array.isArray(value)) modelUnknown(sink, value, childPath, depth + 1);
    } else if (typeof value === "object" && value !== null) modelUnknown(sink, value, childPath, depth + 1);
  }
}

/** `["72","6d"]` → `rm`; invalid bytes are kept as written so nothing is hidden. */
function decodeHexBytes(bytes: unknown[]): string {
  const hex = bytes.filter((b): b is string => typeof b === "string").join("");
  return /^(?:[0-9a-f]{2})*$/i.test(hex) ? Buffer.from(hex, "hex").toString("latin1") : hex;
}

/** The fields describing what a call of `tool` with `params` does (pointers under `/params`). */
export function modelToolCall(tool: string, params: unknown): { fields: ActionField[]; truncated: boolean } {
  const sink: Sink = { fields: [], truncated: false };
  modelCall(sink, tool, params, "/params", 0);
  return sink;
}
