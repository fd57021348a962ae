/** What an RPC change of one session is: the new record, rows, archive and cleanup (see registry.ts). */
import type { DecisionRecord } from "@talon/sdk";
import type { SessionsConfig } from "./config.ts";
import type { HistoryEvent, SessionRecord, SessionState } from "./entry.ts";
import { noteEvent } from "./history.ts";
import { optionalText } from "./text.ts";

/** What an RPC change does; built inside the writer while the session is held. */
export interface Change<T> {
  /** The session's new record (absent: unchanged). */
  next?: SessionRecord;
  /** Delete the session. */
  remove?: boolean;
  /** New transcript events, under `next.sessionId`. */
  rows?: HistoryEvent[];
  /** Other entries written in the same batch (e.g. a remembered chat run id). */
  extra?: { key: string; value: unknown; ttlMs?: number }[];
  /** An archived transcript to keep (written in the same batch as the record). */
  archive?: { id: string; value: unknown };
  /**
   * A whole old transcript to delete once committed. Rows of this transcript that fell out of
   * the window (events rolled out, compaction) are trimmed after every commit.
   */
  dropTranscript?: string;
  result(state: SessionState | undefined): T;
}

/** A message to record (sessions.send, chat.send, chat.inject, the public API). */
export interface SendInput {
  text?: string;
  command?: string;
  requestId?: string;
  source: string;
  /** Event channel; with `replaceChannel` it also becomes the session's channel. */
  channel?: string;
  /** Replace the session's channel (sends) or only fill it when empty (chat: seed §8 item 16). */
  replaceChannel: boolean;
  to?: string;
  accountId?: string;
}

/** Count a decision into the session's record and build its history event (the caller notes and stores it). */
export function decisionEvent(rec: SessionRecord, record: DecisionRecord, now: number): HistoryEvent {
  const action = record.action;
  const verdict = record.decision.action;
  const channel = action.channel;
  rec.updatedAtMs = now;
  rec.totalRequests++;
  if (verdict === "allow") rec.allowedCount++;
  else if (verdict === "review") rec.reviewCount++;
  else rec.blockedCount++;
  rec.lastAction = verdict;
  rec.lastRiskScore = record.decision.risk_score;
  if (rec.channel === null && channel !== undefined) rec.channel = channel;
  if (rec.firstSeenMs === undefined) rec.firstSeenMs = now;
  rec.lastSeenMs = now;
  const source = optionalText(action.source, 128);
  rec.lastSource = source;
  rec.lastChannel = channel ?? null;
  // Which tool call of which run: set for every decision, cleared when the action named none.
  const context = action.context;
  rec.lastTool = action.tool;
  rec.lastAgentId = context?.agentId;
  rec.lastRunId = context?.runId;
  rec.lastToolCallId = context?.toolCallId;
  const event: HistoryEvent = { seq: rec.nextSeq, atMs: now, kind: "decision", action: verdict, riskScore: record.decision.risk_score };
  if (action.tool !== undefined) event.tool = action.tool;
  if (context?.agentId !== undefined) event.agentId = context.agentId;
  if (context?.runId !== undefined) event.runId = context.runId;
  if (context?.toolCallId !== undefined) event.toolCallId = context.toolCallId;
  if (verdict !== "allow") event.reasons = boundedReasons(record.decision.reasons);
  if (action.id !== "unknown") event.requestId = action.id;
  const text = optionalText(action.prompt, 2048);
  if (text !== undefined) event.text = text;
  const command = optionalText(action.command, 1024);
  if (command !== undefined) event.command = command;
  if (source !== undefined) event.source = source;
  const eventChannel = channel ?? rec.channel ?? undefined;
  if (eventChannel !== undefined) event.channel = eventChannel;
  return event;
}

/** Record one message on `next` (a copy of the session's record, or a new one) and build its event. */
export function sendChange(
  next: SessionRecord,
  now: number,
  input: SendInput,
  config: SessionsConfig,
): { next: SessionRecord; event: HistoryEvent } {
  next.updatedAtMs = now;
  if (input.channel !== undefined && (input.replaceChannel || next.channel === null)) next.channel = input.channel;
  if (input.to !== undefined) next.lastTo = input.to;
  if (input.accountId !== undefined) next.lastAccountId = input.accountId;
  const event: HistoryEvent = { seq: next.nextSeq, atMs: now, kind: "send", source: input.source };
  if (input.requestId !== undefined) event.requestId = input.requestId;
  if (input.text !== undefined) event.text = input.text;
  if (input.command !== undefined) event.command = input.command;
  const channel = input.channel ?? next.channel ?? undefined;
  if (channel !== undefined) event.channel = channel;
  noteEvent(next, event, config);
  return { next, event };
}

/** Most reasons kept per history event, and the longest reason kept. */
const MAX_HISTORY_REASONS = 8;
const MAX_REASON_CHARS = 512;

/** The reasons of a review or block, bounded for the history. */
function boundedReasons(reasons: readonly string[]): string[] {
  return reasons
    .slice(0, MAX_HISTORY_REASONS)
    .map((reason) => (reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason));
}
