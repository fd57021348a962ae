/**
 * Whether an action writes the paths it names or only reads them, from the tool it calls.
 * `tool_call` dispatches another tool (`{ id, args }`): the dispatched tool decides. A tool
 * nobody listed writes when its name says so (`file_write`, `save_note`, `upload`, ...).
 */
import { normalizeToolName, type Action } from "@talon/sdk";

export type Intent = "read" | "write";

/** OpenClaw's tools that write the paths they name. */
const WRITE_TOOLS = new Set(["write", "edit", "apply_patch", "multi_edit", "notebook_edit"]);
/** OpenClaw's tools that only read the paths they name. */
const READ_TOOLS = new Set(["read", "ls", "find", "grep", "glob", "image", "pdf"]);
const WRITE_WORD =
  /(?:^|[_.-])(?:write|edit|patch|save|create|put|upload|append|move|rename|copy|delete|remove|rm|mkdir|chmod|chown|touch|install)(?:$|[_.-])/;

function innerTool(action: Action): string | undefined {
  const raw = action.raw as { params?: { id?: unknown } } | null;
  const id = raw?.params?.id;
  return typeof id === "string" && id.trim() !== "" ? normalizeToolName(id) : undefined;
}

/** The intent of `action`'s paths; `extra` are more write tools from config. */
export function intentOf(action: Action, extra: ReadonlySet<string>): Intent {
  let tool = action.tool;
  if (tool === "tool_call") tool = innerTool(action);
  if (tool === undefined) return "read";
  if (WRITE_TOOLS.has(tool) || extra.has(tool)) return "write";
  if (READ_TOOLS.has(tool)) return "read";
  return WRITE_WORD.test(tool) ? "write" : "read";
}
