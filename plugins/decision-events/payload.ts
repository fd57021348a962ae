/**
 * The `security.decision` event payload (seed-defender §3.10, seed-gateway §1.6), built from a
 * DecisionRecord. Every field of the seed's payload is here, with the seed's presence rules;
 * `sessionKey` (the canonical key) is added so a client can match the event to a session without
 * re-implementing canonicalisation. `sessionKind` is the kind of the canonical key, so
 * `discord:group:g1` is a group as it is everywhere else in Talon (the seed parsed the raw value).
 */
import { parseSessionKey, type ChatType, type Decision, type DecisionRecord, type DeliveryContext, type SessionKind } from "@talon/sdk";

/** What a `security.decision` event carries. */
export interface DecisionPayload {
  requestId: string;
  /** The session value as extracted (omitted when the action had none). */
  sessionId?: string;
  /** The canonical session key (`global` when the action had none). */
  sessionKey: string;
  /** Event or method the action came from. */
  source: string;
  channel?: string;
  sessionKind?: SessionKind;
  chatType?: ChatType;
  wasMentioned?: boolean;
  replyBack?: boolean;
  deliveryContext?: DeliveryContext;
  /** For actions with a context (tool calls from the OpenClaw guard): the tool (normalised), agent, run and tool call. */
  tool?: string;
  agentId?: string;
  runId?: string;
  toolCallId?: string;
  decision: Decision;
}

/** The event payload of a decision record. */
export function toDecisionPayload(record: DecisionRecord): DecisionPayload {
  const { action, decision } = record;
  const routing = action.routing;
  const payload: DecisionPayload = { requestId: action.id, sessionKey: action.sessionKey, source: action.source, decision };
  if (action.rawSessionKey !== undefined) {
    payload.sessionId = action.rawSessionKey;
    payload.sessionKind = parseSessionKey(action.sessionKey).kind;
  }
  if (action.channel !== undefined) payload.channel = action.channel;
  if (routing.chatType !== undefined) payload.chatType = routing.chatType;
  if (routing.wasMentioned !== undefined) payload.wasMentioned = routing.wasMentioned;
  if (routing.replyBack !== undefined) payload.replyBack = routing.replyBack;
  if (routing.deliveryContext !== undefined) payload.deliveryContext = routing.deliveryContext;
  // A tool call's context (the guard's calls); the seed's payload is unchanged for other actions.
  const context = action.context;
  if (context !== undefined) {
    if (action.tool !== undefined) payload.tool = action.tool;
    if (context.agentId !== undefined) payload.agentId = context.agentId;
    if (context.runId !== undefined) payload.runId = context.runId;
    if (context.toolCallId !== undefined) payload.toolCallId = context.toolCallId;
  }
  return payload;
}
