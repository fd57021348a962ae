/**
 * Where the text of a frame came from (ActionRole). A tool result, a fetched page or an email is
 * data, and an instruction inside it is an attack; what the person typed is a request. The role
 * is read from the frame itself: a `role` key on a message object, a tool-result block type, an
 * upstream agent event's `stream`, or a key that names tool output. Unknown stays `user`, the
 * strictest reading for requests.
 */
import type { ActionRole } from "../action.ts";

/** Values of a `role` key (OpenAI, Anthropic, Gemini and upstream transcripts), lowercased. */
const ROLE_VALUES: ReadonlyMap<string, ActionRole> = new Map<string, ActionRole>([
  ["user", "user"],
  ["human", "user"],
  ["tool", "tool"],
  ["toolresult", "tool"],
  ["tool_result", "tool"],
  ["function", "tool"],
  ["ipython", "tool"],
  ["observation", "tool"],
  ["assistant", "assistant"],
  ["model", "assistant"],
  ["ai", "assistant"],
  ["bot", "assistant"],
  ["system", "system"],
  ["developer", "system"],
  ["memory", "memory"],
]);

/** `type` values of content blocks that carry a tool's output. */
const TOOL_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "tool_result",
  "toolresult",
  "function_call_output",
  "function_response",
  "tool_response",
  "mcp_tool_result",
  "web_search_result",
  "web_fetch_result",
  "search_result",
  "document",
]);

/** Keys whose whole value is a tool's output or stored memory, whatever the object around them says. */
const ROLE_BY_KEY: ReadonlyMap<string, ActionRole> = new Map<string, ActionRole>([
  ["toolResult", "tool"],
  ["tool_result", "tool"],
  ["toolResults", "tool"],
  ["tool_results", "tool"],
  ["toolOutput", "tool"],
  ["tool_output", "tool"],
  ["functionResponse", "tool"],
  ["function_response", "tool"],
  ["observation", "tool"],
  ["searchResults", "tool"],
  ["search_results", "tool"],
  ["memory", "memory"],
  ["memories", "memory"],
  ["systemPrompt", "system"],
  ["system_prompt", "system"],
]);

/** Event and method names whose payload is a tool's output (`tool_result`, `agent.tool.result`, ...). */
const TOOL_EVENT = /(?:^|[._-])tool[._-]?results?$|(?:^|[._-])tool[._-]?output$/i;

/** The role an object declares for its own subtree, if any. */
export function declaredRole(node: Record<string, unknown>): ActionRole | undefined {
  const role = node.role;
  if (typeof role === "string") {
    const mapped = ROLE_VALUES.get(role.trim().toLowerCase());
    if (mapped) return mapped;
  }
  const type = node.type;
  if (typeof type === "string" && TOOL_BLOCK_TYPES.has(type.trim().toLowerCase())) return "tool";
  // Upstream agent events: `{stream: "tool" | "assistant" | "lifecycle", data: {...}}`.
  const stream = node.stream;
  if (stream === "tool") return "tool";
  if (stream === "assistant") return "assistant";
  return undefined;
}

/** The role a key gives its value, if it names one. */
export function roleOfKey(key: string): ActionRole | undefined {
  return ROLE_BY_KEY.get(key);
}

/** The role of a frame root: what the root declares, else what the event or method name says, else `user`. */
export function rootRole(root: Record<string, unknown>, name: string | undefined): ActionRole {
  return declaredRole(root) ?? (name !== undefined && TOOL_EVENT.test(name.trim()) ? "tool" : "user");
}
