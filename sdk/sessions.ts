/**
 * The public API of the bundled `sessions` plugin, for plugins that list it in `dependsOn` and
 * call `ctx.use<SessionsApi>("sessions")`: read a session's durable decision state and routing
 * overrides, and record messages into its transcript. Keys are canonicalised by the plugin, so
 * `main` and `agent:main:main` are the same session.
 */
import type { Verdict } from "./action.ts";

/** Per-session decision state, persisted in the store and readable after a restart (seed §4.2). */
export interface SessionDecisionState {
  /** Canonical session key. */
  key: string;
  /** First decision recorded for the session (ms since epoch); absent before the first one. */
  firstSeenMs?: number;
  /** Latest decision recorded (ms since epoch). */
  lastSeenMs?: number;
  totalRequests: number;
  allowedCount: number;
  reviewCount: number;
  blockedCount: number;
  lastAction: Verdict | null;
  /** 0–100; 0 before the first decision. */
  lastRiskScore: number;
  /** `source` of the latest decision's action. */
  lastSource?: string;
  /** Channel of the latest decision's action (`null` when it had none). */
  lastChannel?: string | null;
  /** Tool, agent, run and tool call of the latest decision's action, when it named them. */
  lastTool?: string;
  lastAgentId?: string;
  lastRunId?: string;
  lastToolCallId?: string;
}

/** Routing overrides set with `sessions.patch` that the scheduler and channels honour. */
export interface SessionSettings {
  sendPolicy?: "allow" | "deny";
  groupActivation?: "mention" | "always";
  queueMode?: "followup" | "steer" | "collect";
}

/** A message to record into a session's transcript (counters are not touched). */
export interface SessionSendInput {
  sessionKey: string;
  text?: string;
  command?: string;
  requestId?: string;
  /** Who recorded it (`rpc`, `chat`, a driver id); default `plugin`. */
  source?: string;
  /** Replaces the session's channel when given. */
  channel?: string;
  /** Replaces the session's last delivery target. */
  to?: string;
  accountId?: string;
}

/** What `ctx.use("sessions")` returns. */
export interface SessionsApi {
  /** Canonicalise a key exactly as every sessions RPC does (`""` for blank input). */
  canonicalKey(key: string): string;
  /** Decision state of a session, or `undefined` when it has never been seen. */
  decisionState(key: string): SessionDecisionState | undefined;
  /** Routing overrides of a session, or `undefined` when it does not exist. */
  settings(key: string): SessionSettings | undefined;
  /** Record a message durably (the promise settles after the store write). */
  recordSend(input: SessionSendInput): Promise<void>;
  /** Write every coalesced decision update to the store now. */
  flush(): Promise<void>;
}
