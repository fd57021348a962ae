/**
 * The tool-call form of `security.evaluate`: a tool call as OpenClaw's `before_tool_call` hook
 * gives it (`{ tool, params: {…any JSON…}, sessionKey, agentId, runId, toolCallId, requester }`),
 * or a text entering the agent (`role: "user"` for the user's prompt, `role: "tool"` for a tool's
 * output). Every text in `params` is extracted by the host's bounded walk (the same as frames);
 * then tool-model.ts adds what the call does (its command, paths and URLs) so the command model,
 * the path policy and the URL policy judge it. Unknown keys are scanned, never refused.
 */
import { z } from "zod";
import { collectFields, normalizeToolName, type ActionField, type ActionInput, type ActionRole } from "@talon/sdk";
import { modelToolCall } from "./tool-model.ts";

const id = z.string().max(256);

/** Who started the run, as OpenClaw's hook context gives it; other keys are kept as they are. */
const requesterSchema = z.looseObject({
  channel: z.string().max(256).optional(),
  accountId: z.string().max(256).optional(),
  senderId: z.string().max(256).optional(),
  senderIsOwner: z.boolean().optional(),
});

/** Keys of the tool-call form, spread into the `security.evaluate` params schema. */
export const toolCallShape = {
  /** The tool's params, any JSON. */
  params: z.unknown().optional(),
  agentId: id.optional(),
  runId: id.optional(),
  toolCallId: id.optional(),
  requester: requesterSchema.optional(),
  /** The agent's workspace: relative paths in the call resolve against it. */
  workspaceDir: z.string().max(4096).optional(),
  /** Paths the host derived for the call (OpenClaw's `event.derivedPaths`, e.g. for apply_patch). */
  derivedPaths: z.array(z.string().max(4096)).max(256).optional(),
  /** The caller cut the params to fit its limits: the verdict is floored at review. */
  truncated: z.boolean().optional(),
} as const;

/** The tool-call keys as validated. */
export interface ToolCallParams {
  tool?: string;
  params?: unknown;
  /** The text's role (the `security.evaluate` param): `user` for a prompt, `tool` for a tool's output; absent for a tool call. */
  role?: ActionRole;
  agentId?: string;
  runId?: string;
  toolCallId?: string;
  requester?: { senderId?: string };
  workspaceDir?: string;
  derivedPaths?: string[];
  truncated?: boolean;
}

/** Does this request use the tool-call form (so it needs the walk and the model)? */
export function isToolCall(params: ToolCallParams): boolean {
  return (
    params.params !== undefined ||
    params.toolCallId !== undefined ||
    params.runId !== undefined ||
    params.agentId !== undefined ||
    params.derivedPaths !== undefined ||
    params.truncated !== undefined
  );
}

/** `fields` without repeats of the same kind and text (the model and the walk often find the same command). */
function unique(fields: ActionField[]): ActionField[] {
  const seen = new Set<string>();
  const out: ActionField[] = [];
  for (const field of fields) {
    const key = `${field.kind}\0${field.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(field);
  }
  return out;
}

/** Add the tool call's context, walked params and modelled effects to `input` (built from the flat keys). */
export function withToolCall(input: ActionInput, params: ToolCallParams): ActionInput {
  const context: NonNullable<ActionInput["context"]> = {};
  if (params.agentId !== undefined) context.agentId = params.agentId;
  if (params.runId !== undefined) context.runId = params.runId;
  if (params.toolCallId !== undefined) context.toolCallId = params.toolCallId;
  if (params.workspaceDir !== undefined) context.workspaceDir = params.workspaceDir;
  const out: ActionInput = { ...input, context };
  const senderId = params.requester?.senderId;
  if (senderId !== undefined && out.routing?.senderId === undefined) out.routing = { ...out.routing, senderId };
  // A tool's output is text entering the agent, not a call: its tool's policy does not apply to it.
  if (params.role === "tool") delete out.tool;
  let truncated = params.truncated === true;
  const modelled: ActionField[] = [];
  const walked: ActionField[] = [];
  if (params.params !== undefined) {
    if (typeof params.params === "string")
      walked.push({ kind: params.role === "user" ? "prompt" : "text", path: "/params", value: params.params, role: params.role ?? "user" });
    else {
      const collected = collectFields(params.params, params.role ?? "user");
      truncated ||= collected.truncated;
      for (const field of collected.fields) walked.push({ ...field, path: `/params${field.path}` });
    }
    if (params.role === undefined && params.tool !== undefined) {
      const model = modelToolCall(normalizeToolName(params.tool), params.params);
      truncated ||= model.truncated;
      modelled.push(...model.fields);
    }
  }
  params.derivedPaths?.forEach((path, i) => modelled.push({ kind: "file", path: `/derivedPaths/${i}`, value: path }));
  // What the call does first, so the field cap can never drop it in favour of incidental text.
  out.fields = unique([...(input.fields ?? []), ...modelled, ...walked]);
  const first = (kind: ActionField["kind"]) => modelled.find((field) => field.kind === kind)?.value;
  out.command ??= first("command");
  out.url ??= first("url");
  out.filePath ??= first("file");
  if (truncated) out.truncated = true;
  return out;
}
