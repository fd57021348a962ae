/**
 * `security.evaluate` (scope `operator.write`): evaluate one action on the caller's behalf. The
 * action takes the same path as every other (session lane, `score`/`decide`, `decision`
 * observers), so the caller's decision also reaches event subscribers, the session state and the
 * quarantine. The result is the event's `decision` object, plus the request id, the canonical
 * session key and how the evaluation settled.
 */
import { z } from "zod";
import {
  ACTION_ROLES,
  RpcError,
  normalizeChannelId,
  normalizeChatType,
  type ActionInput,
  type ActionRole,
  type ActionRouting,
  type DefenderApi,
  type DeliveryContext,
  type Evaluation,
} from "@talon/sdk";
import { isToolCall, toolCallShape, withToolCall } from "./tool-call.ts";

const text = z.string();
const name = z.string().max(256);

/** Params: one action and its routing hints. */
export const evaluateParamsSchema = z
  .strictObject({
    /** Request id; repeats within `runtime.idempotency_ttl_secs` with the same content reuse the decision. */
    id: z.string().min(1).max(256).optional(),
    sessionKey: z.string().max(512).optional(),
    channel: name.optional(),
    tool: name.optional(),
    prompt: text.optional(),
    command: text.optional(),
    url: text.optional(),
    filePath: text.optional(),
    /** Where the text came from: `user` (default), `tool` (tool results, pages, files, emails), `assistant`, `system`, `memory`. */
    role: z.enum(ACTION_ROLES as [ActionRole, ...ActionRole[]]).optional(),
    chatType: name.optional(),
    wasMentioned: z.boolean().optional(),
    hasAnyMention: z.boolean().optional(),
    replyBack: z.boolean().optional(),
    senderId: name.optional(),
    to: name.optional(),
    accountId: name.optional(),
    threadId: name.optional(),
    model: z.strictObject({ provider: name.optional(), id: name.optional() }).optional(),
    /** A tool call as OpenClaw gives it, or a text entering the agent (tool-call.ts). */
    ...toolCallShape,
  })
  .refine(
    (params) =>
      params.prompt !== undefined ||
      params.command !== undefined ||
      params.url !== undefined ||
      params.filePath !== undefined ||
      params.params !== undefined,
    {
      message: "give at least one of prompt, command, url, filePath, params",
    },
  );

/** Validated `security.evaluate` params. */
export type EvaluateParams = z.output<typeof evaluateParamsSchema>;

/** The ActionInput the params describe. */
export function toActionInput(params: EvaluateParams): ActionInput {
  const routing: ActionRouting = {};
  const chatType = normalizeChatType(params.chatType);
  if (params.chatType !== undefined && chatType === undefined) {
    throw new RpcError(
      "TALON_RPC_INVALID_PARAMS",
      `invalid security.evaluate params: chatType must be direct, dm, group or channel (got ${params.chatType})`,
    );
  }
  if (chatType) routing.chatType = chatType;
  if (params.wasMentioned !== undefined) {
    routing.wasMentioned = params.wasMentioned;
    routing.canDetectMention = true;
  }
  if (params.hasAnyMention !== undefined) routing.hasAnyMention = params.hasAnyMention;
  if (params.replyBack !== undefined) routing.replyBack = params.replyBack;
  if (params.senderId !== undefined) routing.senderId = params.senderId;
  if (params.to !== undefined || params.accountId !== undefined || params.threadId !== undefined || params.channel !== undefined) {
    const delivery: DeliveryContext = { channel: normalizeChannelId(params.channel) ?? null, to: params.to ?? null };
    if (params.accountId !== undefined) delivery.accountId = params.accountId;
    if (params.threadId !== undefined) delivery.threadId = params.threadId;
    routing.deliveryContext = delivery;
  }
  const input: ActionInput = {
    id: params.id,
    origin: "rpc",
    source: "security.evaluate",
    sessionKey: params.sessionKey,
    prompt: params.prompt,
    command: params.command,
    url: params.url,
    filePath: params.filePath,
    ...(params.role !== undefined ? { role: params.role } : {}),
    tool: params.tool,
    channel: params.channel,
    model: params.model,
    routing,
    raw: params,
  };
  return isToolCall(params) ? withToolCall(input, params) : input;
}

/** The RPC result for an evaluation. */
export function toEvaluateResult(evaluation: Evaluation): Record<string, unknown> {
  if (evaluation.status === "decided") {
    const { action, decision, cached, timedOut } = evaluation.record;
    return {
      ...decision,
      requestId: action.id,
      sessionKey: action.sessionKey,
      status: "decided",
      cached,
      timedOut,
      refused: evaluation.record.refused === true,
    };
  }
  const base = { requestId: evaluation.action.id, sessionKey: evaluation.action.sessionKey, status: evaluation.status };
  return evaluation.status === "ignored" ? { ...base, reason: evaluation.reason } : { ...base, supersededBy: evaluation.by };
}
