/**
 * The session model: the record persisted per session, the history events of its transcript,
 * and the views RPCs return (seed-gateway §2.1, a superset of upstream's `GatewaySessionRow`).
 */
import {
  parseSessionKey,
  upstreamSessionKind,
  type ParsedSessionKey,
  type SessionDecisionState,
  type UpstreamSessionKind,
  type Verdict,
} from "@talon/sdk";
import { truncate } from "./text.ts";

/** Patch fields stored as strings (seed §2.2 sessions.patch), in validation order. */
export const OVERRIDE_FIELDS = [
  "sendPolicy",
  "groupActivation",
  "queueMode",
  "thinkingLevel",
  "verboseLevel",
  "reasoningLevel",
  "responseUsage",
  "elevatedLevel",
  "execHost",
  "execSecurity",
  "execAsk",
  "execNode",
  "modelOverride",
  "providerOverride",
] as const;
export type OverrideField = (typeof OVERRIDE_FIELDS)[number];

/** One transcript event (seed §2.1.2). `seq` orders events within a sessionId's transcript. */
export interface HistoryEvent {
  seq: number;
  atMs: number;
  kind: "decision" | "send";
  requestId?: string;
  text?: string;
  command?: string;
  action?: Verdict;
  riskScore?: number;
  source?: string;
  channel?: string;
  /** Decisions: the tool called, the agent, run and tool call it belonged to, and why it was decided so. */
  tool?: string;
  agentId?: string;
  runId?: string;
  toolCallId?: string;
  reasons?: string[];
}

/** Usage counters of one UTC day (day number = floor(ms / 86 400 000)). */
export interface DayUsage {
  day: number;
  allow: number;
  review: number;
  block: number;
  sends: number;
  /** Latest decision of the day. */
  lastAtMs?: number;
  lastAction?: Verdict;
  lastRiskScore?: number;
}

/** What the store holds per session under `meta:<canonical key>`: the public decision state (seed §4.2) and the rest. */
export interface SessionRecord extends SessionDecisionState, Partial<Record<OverrideField, string>> {
  v: 1;
  sessionId: string;
  createdAtMs: number;
  /** When the current sessionId began (creation or the last reset). */
  startedAtMs: number;
  updatedAtMs: number;
  channel: string | null;
  lastTo?: string;
  lastAccountId?: string;
  label?: string;
  spawnedBy?: string;
  spawnDepth?: number;
  /** Transcript window: events with `firstSeq <= seq < nextSeq` are kept. */
  firstSeq: number;
  nextSeq: number;
  /** First send with text (derived title), first event with text, newest text (list hints). */
  titleSend?: string;
  titleAny?: string;
  lastText?: string;
  /** Chat id of the newest send with text: the parent of the next injected message (§8 item 17). */
  lastMessageId?: string;
  compactionCount: number;
  days: DayUsage[];
}

/** A session in memory: its record plus what is derived from the key once. */
export interface SessionState {
  rec: SessionRecord;
  parsed: ParsedSessionKey;
  /** `parsed.kind` and `parsed.agentId`, copied so filters read one object shape. */
  kind: ParsedSessionKey["kind"];
  agentId: string | undefined;
  upstreamKind: UpstreamSessionKind;
  /** Rows below this seq are already deleted from the store. */
  trimmedBelow: number;
}

/**
 * The record with every field present in one fixed order. All records then share one hidden
 * class, which keeps filtering 10,000 sessions fast; fields are cleared by setting `undefined`
 * (never `delete`), and JSON drops them when stored.
 */
export function shapeRecord(source: SessionRecord): SessionRecord {
  return {
    v: 1,
    key: source.key,
    sessionId: source.sessionId,
    createdAtMs: source.createdAtMs,
    startedAtMs: source.startedAtMs ?? source.createdAtMs,
    updatedAtMs: source.updatedAtMs,
    channel: source.channel ?? null,
    lastTo: source.lastTo,
    lastAccountId: source.lastAccountId,
    label: source.label,
    spawnedBy: source.spawnedBy,
    spawnDepth: source.spawnDepth,
    sendPolicy: source.sendPolicy,
    groupActivation: source.groupActivation,
    queueMode: source.queueMode,
    thinkingLevel: source.thinkingLevel,
    verboseLevel: source.verboseLevel,
    reasoningLevel: source.reasoningLevel,
    responseUsage: source.responseUsage,
    elevatedLevel: source.elevatedLevel,
    execHost: source.execHost,
    execSecurity: source.execSecurity,
    execAsk: source.execAsk,
    execNode: source.execNode,
    modelOverride: source.modelOverride,
    providerOverride: source.providerOverride,
    totalRequests: source.totalRequests,
    allowedCount: source.allowedCount,
    reviewCount: source.reviewCount,
    blockedCount: source.blockedCount,
    lastAction: source.lastAction ?? null,
    lastRiskScore: source.lastRiskScore ?? 0,
    firstSeenMs: source.firstSeenMs,
    lastSeenMs: source.lastSeenMs,
    lastSource: source.lastSource,
    lastChannel: source.lastChannel,
    lastTool: source.lastTool,
    lastAgentId: source.lastAgentId,
    lastRunId: source.lastRunId,
    lastToolCallId: source.lastToolCallId,
    firstSeq: source.firstSeq,
    nextSeq: source.nextSeq,
    titleSend: source.titleSend,
    titleAny: source.titleAny,
    lastText: source.lastText,
    lastMessageId: source.lastMessageId,
    compactionCount: source.compactionCount ?? 0,
    days: source.days.map((day) => ({ ...day })),
  };
}

export function createRecord(key: string, sessionId: string, now: number): SessionRecord {
  const parsed = parseSessionKey(key);
  return shapeRecord({
    v: 1,
    key,
    sessionId,
    createdAtMs: now,
    startedAtMs: now,
    updatedAtMs: now,
    channel: parsed.channel ?? null,
    totalRequests: 0,
    allowedCount: 0,
    reviewCount: 0,
    blockedCount: 0,
    lastAction: null,
    lastRiskScore: 0,
    firstSeq: 0,
    nextSeq: 0,
    compactionCount: 0,
    days: [],
  });
}

export function stateOf(rec: SessionRecord): SessionState {
  const parsed = parseSessionKey(rec.key);
  return {
    rec,
    parsed,
    kind: parsed.kind,
    agentId: parsed.agentId,
    upstreamKind: upstreamSessionKind(rec.key, parsed.kind),
    trimmedBelow: rec.firstSeq,
  };
}

/** A record read back from the store is trusted only when it has the fields every path uses. */
export function isSessionRecord(value: unknown): value is SessionRecord {
  const rec = value as SessionRecord;
  return (
    typeof rec === "object" &&
    rec !== null &&
    rec.v === 1 &&
    typeof rec.key === "string" &&
    typeof rec.sessionId === "string" &&
    typeof rec.updatedAtMs === "number" &&
    typeof rec.firstSeq === "number" &&
    typeof rec.nextSeq === "number" &&
    Array.isArray(rec.days)
  );
}

/** What the list hints need; absent fields are simply not emitted. */
export interface ViewOptions {
  derivedTitle?: boolean;
  lastMessage?: boolean;
  /** In-flight chat run ids of the session (upstream `activeRunIds`). */
  activeRunIds?: readonly string[];
}

/** Seed derived title: first send with text, else the first event with text. */
export function derivedTitleOf(rec: SessionRecord): string | undefined {
  return rec.titleSend ?? rec.titleAny;
}

/**
 * The session view (seed §2.1.1) plus upstream's row fields a client reads: `kind` is upstream's
 * five-value kind and the seed's kind is `sessionKind`; `updatedAt` mirrors `updatedAtMs`.
 */
export function toView(state: SessionState, options: ViewOptions = {}): Record<string, unknown> {
  const { rec, parsed } = state;
  const view: Record<string, unknown> = {
    key: rec.key,
    sessionId: rec.sessionId,
    kind: state.upstreamKind,
    sessionKind: parsed.kind,
  };
  if (parsed.agentId !== undefined) view.agentId = parsed.agentId;
  const title = options.derivedTitle ? derivedTitleOf(rec) : undefined;
  const display = rec.label ?? title;
  if (display !== undefined) view.displayName = truncate(display, 120);
  if (title !== undefined) view.derivedTitle = title;
  if (options.lastMessage && rec.lastText !== undefined) view.lastMessagePreview = rec.lastText;
  view.channel = rec.channel;
  if (rec.channel !== null) view.lastChannel = rec.channel;
  if (rec.lastTo !== undefined) view.lastTo = rec.lastTo;
  if (rec.lastAccountId !== undefined) view.lastAccountId = rec.lastAccountId;
  if (rec.channel !== null || rec.lastTo !== undefined || rec.lastAccountId !== undefined) {
    const delivery: Record<string, string> = {};
    if (rec.channel !== null) delivery.channel = rec.channel;
    if (rec.lastTo !== undefined) delivery.to = rec.lastTo;
    if (rec.lastAccountId !== undefined) delivery.accountId = rec.lastAccountId;
    view.deliveryContext = delivery;
  }
  view.totalTokensFresh = false;
  if (rec.label !== undefined) view.label = rec.label;
  if (rec.spawnedBy !== undefined) view.spawnedBy = rec.spawnedBy;
  if (rec.spawnDepth !== undefined) view.spawnDepth = rec.spawnDepth;
  view.createdAt = rec.createdAtMs;
  view.sessionStartedAt = rec.startedAtMs;
  view.updatedAt = rec.updatedAtMs;
  view.updatedAtMs = rec.updatedAtMs;
  view.totalRequests = rec.totalRequests;
  view.allowedCount = rec.allowedCount;
  view.reviewCount = rec.reviewCount;
  view.blockedCount = rec.blockedCount;
  view.lastAction = rec.lastAction;
  view.lastRiskScore = rec.lastRiskScore;
  for (const field of OVERRIDE_FIELDS) {
    const value = rec[field];
    if (value !== undefined) view[field] = value;
  }
  // Upstream rows name the effective model `model`/`modelProvider`; Talon only knows overrides.
  if (rec.modelOverride !== undefined) view.model = rec.modelOverride;
  if (rec.providerOverride !== undefined) view.modelProvider = rec.providerOverride;
  view.compactionCount = rec.compactionCount;
  const runs = options.activeRunIds;
  if (runs !== undefined) {
    view.hasActiveRun = runs.length > 0;
    view.activeRunIds = [...runs];
  }
  return view;
}

/** History record for history and usage logs (seed §2.1.2). */
export function toHistoryRecord(key: string, event: HistoryEvent): Record<string, unknown> {
  const record: Record<string, unknown> = { sessionKey: key, atMs: event.atMs, kind: event.kind };
  if (event.requestId !== undefined) record.requestId = event.requestId;
  if (event.text !== undefined) record.text = event.text;
  if (event.command !== undefined) record.command = event.command;
  if (event.action !== undefined) record.action = event.action;
  if (event.riskScore !== undefined) record.riskScore = event.riskScore;
  if (event.source !== undefined) record.source = event.source;
  if (event.channel !== undefined) record.channel = event.channel;
  if (event.tool !== undefined) record.tool = event.tool;
  if (event.agentId !== undefined) record.agentId = event.agentId;
  if (event.runId !== undefined) record.runId = event.runId;
  if (event.toolCallId !== undefined) record.toolCallId = event.toolCallId;
  if (event.reasons !== undefined) record.reasons = event.reasons;
  return record;
}

/** A message's id in chat.history: its request id, else a stable `msg-<atMs>-<seq>`. */
export function chatMessageId(event: HistoryEvent): string {
  return event.requestId?.trim() ? truncate(event.requestId.trim(), 256) : `msg-${event.atMs}-${event.seq}`;
}

/** Preview item (seed §2.1.2): no key or request id; texts cut to `maxChars` bytes, blanks dropped. */
export function toPreviewItem(event: HistoryEvent, maxChars: number): Record<string, unknown> {
  const item: Record<string, unknown> = { atMs: event.atMs, kind: event.kind };
  if (event.text) item.text = truncate(event.text, maxChars);
  if (event.command) item.command = truncate(event.command, maxChars);
  if (event.action !== undefined) item.action = event.action;
  if (event.riskScore !== undefined) item.riskScore = event.riskScore;
  if (event.source !== undefined) item.source = event.source;
  if (event.channel !== undefined) item.channel = event.channel;
  return item;
}

/** Decision state (seed §4.2) as the public API returns it. */
export function toDecisionState(rec: SessionRecord) {
  return {
    key: rec.key,
    ...(rec.firstSeenMs !== undefined ? { firstSeenMs: rec.firstSeenMs } : {}),
    ...(rec.lastSeenMs !== undefined ? { lastSeenMs: rec.lastSeenMs } : {}),
    totalRequests: rec.totalRequests,
    allowedCount: rec.allowedCount,
    reviewCount: rec.reviewCount,
    blockedCount: rec.blockedCount,
    lastAction: rec.lastAction,
    lastRiskScore: rec.lastRiskScore,
    ...(rec.lastSource !== undefined ? { lastSource: rec.lastSource } : {}),
    ...(rec.lastChannel !== undefined ? { lastChannel: rec.lastChannel } : {}),
    ...(rec.lastTool !== undefined ? { lastTool: rec.lastTool } : {}),
    ...(rec.lastAgentId !== undefined ? { lastAgentId: rec.lastAgentId } : {}),
    ...(rec.lastRunId !== undefined ? { lastRunId: rec.lastRunId } : {}),
    ...(rec.lastToolCallId !== undefined ? { lastToolCallId: rec.lastToolCallId } : {}),
  };
}
