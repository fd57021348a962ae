/**
 * Turn an ActionInput (from an extractor, a channel message or `security.evaluate`) into the
 * normalised Action detectors see: canonical session key, tool and channel aliases, every text
 * field listed, everything bounded (limits.ts), and a digest of the content for idempotency.
 */
import { hash } from "node:crypto";
import {
  ACTION_MAX_FIELD_CHARS,
  ACTION_MAX_FIELDS,
  ACTION_MAX_ID_CHARS,
  ACTION_MAX_NAME_CHARS,
  ACTION_MAX_PATH_CHARS,
  ACTION_MAX_SESSION_KEY_CHARS,
  boundedSessionKey,
  normalizeChannelId,
  normalizeToolName,
  type Action,
  type ActionContext,
  type ActionField,
  type ActionInput,
  type ActionRole,
  type ActionRouting,
} from "@talon/sdk";

/** Cuts `value` to `max` code units and reports whether it did. */
function bounded(value: string, max: number, cut: { truncated: boolean }): string {
  if (value.length <= max) return value;
  cut.truncated = true;
  return value.slice(0, max);
}

function primaryFields(input: ActionInput, role: ActionRole): ActionField[] {
  const fields: ActionField[] = [];
  if (input.prompt !== undefined) fields.push({ kind: "prompt", path: "/prompt", value: input.prompt, role });
  if (input.command !== undefined) fields.push({ kind: "command", path: "/command", value: input.command, role });
  if (input.url !== undefined) fields.push({ kind: "url", path: "/url", value: input.url, role });
  if (input.filePath !== undefined) fields.push({ kind: "file", path: "/filePath", value: input.filePath, role });
  return fields;
}

/**
 * Every field of `input.fields`, plus the primary fields when no listed field carries their value;
 * bounded. Every field gets a role: its own, else the action's.
 */
function mergeFields(input: ActionInput, role: ActionRole, cut: { truncated: boolean }): ActionField[] {
  const listed = input.fields ?? [];
  const merged: ActionField[] = [];
  const add = (field: ActionField) => {
    if (merged.length >= ACTION_MAX_FIELDS) {
      cut.truncated = true;
      return;
    }
    const value = typeof field.value === "string" ? field.value : String(field.value);
    const withRole = field.role === undefined ? { ...field, role } : field;
    merged.push(value.length > ACTION_MAX_FIELD_CHARS ? { ...withRole, value: bounded(value, ACTION_MAX_FIELD_CHARS, cut) } : withRole);
  };
  // Primary fields first, so the field cap can never drop the value the seed would have scanned.
  for (const field of primaryFields(input, role)) {
    if (!listed.some((existing) => existing.kind === field.kind && existing.value === field.value)) add(field);
  }
  for (const field of listed) add(field);
  return merged;
}

/** Hex SHA-256 over everything that decides the verdict (NUL-separated, so fields cannot run into each other). */
export function digestOf(parts: {
  sessionKey: string;
  tool?: string;
  channel?: string;
  fields: readonly ActionField[];
  workspaceDir?: string;
}): string {
  let text = `${parts.sessionKey}\0${parts.tool ?? ""}\0${parts.channel ?? ""}`;
  // The workspace decides path verdicts; the agent, run and tool-call ids only say who asked.
  if (parts.workspaceDir !== undefined) text += `\0workspace\0${parts.workspaceDir}`;
  // The role decides how a text is read (an instruction in a tool result is an attack), so it is part of the content.
  for (const field of parts.fields) text += `\0${field.kind}\0${field.role ?? "user"}\0${field.value}`;
  // One-shot hashing: no Hash object per action.
  return hash("sha256", text, "hex");
}

function optionalText(value: string | undefined, max: number, cut: { truncated: boolean }): string | undefined {
  return value === undefined ? undefined : bounded(value, max, cut);
}

function boundedRouting(routing: ActionRouting | undefined): ActionRouting {
  if (!routing) return {};
  if (routing.senderId === undefined && routing.deliveryContext === undefined) return routing;
  const cut = { truncated: false };
  const delivery = routing.deliveryContext;
  return {
    ...routing,
    ...(routing.senderId !== undefined ? { senderId: bounded(String(routing.senderId), ACTION_MAX_NAME_CHARS, cut) } : {}),
    ...(delivery
      ? {
          deliveryContext: {
            channel: delivery.channel === null ? null : bounded(String(delivery.channel), ACTION_MAX_NAME_CHARS, cut),
            to: delivery.to === null ? null : bounded(String(delivery.to), ACTION_MAX_NAME_CHARS, cut),
            ...(delivery.accountId !== undefined ? { accountId: bounded(String(delivery.accountId), ACTION_MAX_NAME_CHARS, cut) } : {}),
            ...(delivery.threadId !== undefined ? { threadId: bounded(String(delivery.threadId), ACTION_MAX_NAME_CHARS, cut) } : {}),
          },
        }
      : {}),
  };
}

/** The action's context with every value bounded; undefined when it carries none. */
function boundedContext(context: ActionContext | undefined, cut: { truncated: boolean }): ActionContext | undefined {
  if (!context) return undefined;
  const out: ActionContext = {};
  const text = (value: unknown, max: number, into: { truncated: boolean }) =>
    typeof value === "string" && value.trim() !== "" ? bounded(value, max, into) : undefined;
  // Cutting an id loses nothing that is scanned; cutting the workspace changes how paths resolve.
  const ids = { truncated: false };
  const agentId = text(context.agentId, ACTION_MAX_ID_CHARS, ids);
  const runId = text(context.runId, ACTION_MAX_ID_CHARS, ids);
  const toolCallId = text(context.toolCallId, ACTION_MAX_ID_CHARS, ids);
  const workspaceDir = text(context.workspaceDir, ACTION_MAX_PATH_CHARS, cut);
  if (agentId !== undefined) out.agentId = agentId;
  if (runId !== undefined) out.runId = runId;
  if (toolCallId !== undefined) out.toolCallId = toolCallId;
  if (workspaceDir !== undefined) out.workspaceDir = workspaceDir;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Normalise and bound an ActionInput; `defaults` fill a missing origin and source. `channelId`
 * resolves channel aliases (the host's: known channels plus loaded drivers; default the table).
 */
export function normalizeAction(
  input: ActionInput,
  defaults: { origin: Action["origin"]; source: string; channelId?: (value: string | undefined) => string | undefined },
): Action {
  const cut = { truncated: input.truncated === true };
  const rawSessionKey = input.sessionKey?.trim() ? bounded(input.sessionKey, ACTION_MAX_SESSION_KEY_CHARS, cut) : undefined;
  // The canonical key under the same bound the sessions RPCs apply (one rule: SESSION_KEY_MAX_CHARS
  // code points of the canonical key), so every session a decision names can be named by an RPC.
  const bounds = input.sessionKey?.trim() ? boundedSessionKey(input.sessionKey) : undefined;
  if (bounds?.truncated) cut.truncated = true;
  const sessionKey = bounds?.key || "global";
  const tool = input.tool?.trim() ? normalizeToolName(bounded(input.tool, ACTION_MAX_NAME_CHARS, cut)) : undefined;
  const channel = (defaults.channelId ?? normalizeChannelId)(optionalText(input.channel, ACTION_MAX_NAME_CHARS, cut));
  const role = input.role ?? "user";
  const fields = mergeFields(input, role, cut);
  const id = input.id?.trim() ? bounded(input.id, ACTION_MAX_ID_CHARS, cut) : "unknown";
  const context = boundedContext(input.context, cut);
  const action: Action = {
    id,
    source: bounded(input.source ?? defaults.source, ACTION_MAX_NAME_CHARS, cut),
    origin: input.origin ?? defaults.origin,
    sessionKey,
    rawSessionKey,
    prompt: optionalText(input.prompt, ACTION_MAX_FIELD_CHARS, cut),
    command: optionalText(input.command, ACTION_MAX_FIELD_CHARS, cut),
    url: optionalText(input.url, ACTION_MAX_FIELD_CHARS, cut),
    filePath: optionalText(input.filePath, ACTION_MAX_FIELD_CHARS, cut),
    tool,
    rawTool: input.tool,
    channel,
    fields,
    role,
    model: input.model,
    routing: boundedRouting(input.routing),
    raw: input.raw ?? null,
    digest: digestOf({ sessionKey, tool, channel, fields, workspaceDir: context?.workspaceDir }),
    receivedAt: Date.now(),
    ...(context ? { context } : {}),
  };
  return cut.truncated ? { ...action, truncated: true } : action;
}

/**
 * The action the `collect` queue mode makes of a queued prompt and a newer one (seed §9.2): the
 * queued prompt plus `\n\n` (only when it is not blank) plus the new prompt, under the newer
 * request's id. Every other field of the newer action is kept too, so nothing it carried goes
 * unscanned.
 */
export function mergeCollected(queued: Action, incoming: Action): Action {
  const cut = { truncated: queued.truncated === true || incoming.truncated === true };
  const head = queued.prompt ?? "";
  const prompt = bounded(head.trim() === "" ? (incoming.prompt ?? "") : `${head}\n\n${incoming.prompt ?? ""}`, ACTION_MAX_FIELD_CHARS, cut);
  const fields: ActionField[] = [];
  let replaced = false;
  for (const field of queued.fields) {
    if (!replaced && field.kind === "prompt" && field.value === queued.prompt) {
      fields.push({ ...field, value: prompt });
      replaced = true;
    } else fields.push(field);
  }
  if (!replaced) fields.unshift({ kind: "prompt", path: "/prompt", value: prompt, role: queued.role ?? "user" });
  let skippedPrimary = false;
  for (const field of incoming.fields) {
    if (!skippedPrimary && field.kind === "prompt" && field.value === incoming.prompt) {
      skippedPrimary = true;
      continue;
    }
    if (fields.length >= ACTION_MAX_FIELDS) {
      cut.truncated = true;
      break;
    }
    fields.push(field);
  }
  const merged: Action = {
    ...queued,
    id: incoming.id,
    prompt,
    fields,
    digest: digestOf({
      sessionKey: queued.sessionKey,
      tool: queued.tool,
      channel: queued.channel,
      fields,
      workspaceDir: queued.context?.workspaceDir,
    }),
  };
  return cut.truncated ? { ...merged, truncated: true } : merged;
}
