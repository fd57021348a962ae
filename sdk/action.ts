/**
 * The defender's data model: an Action an agent is about to take, the Findings detectors add
 * to its RiskReport, and the Decision the policy reaches. Field names of `Decision` follow the
 * seed's wire shape (`risk_score` in snake_case) so existing consumers keep working.
 */

/** The three verdicts, weakest first. */
export type Verdict = "allow" | "review" | "block";

/** Rank of each verdict for "max" comparisons: allow 0 < review 1 < block 2. */
export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { allow: 0, review: 1, block: 2 };

/** The stronger of two verdicts. */
export function maxVerdict(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

/** What a text field of an action holds. `text` is any other string worth scanning. */
export type ActionFieldKind = "prompt" | "command" | "url" | "file" | "text";

/**
 * Where a text came from. `user`: typed by the person; `tool`: a tool result, fetched page, file,
 * email or search result (data, never instructions); `assistant`: the model's own output;
 * `system`: the operator's system or developer prompt; `memory`: stored memories read back. The
 * prompt detector reads instructions addressed to the assistant inside `tool` text as an attack.
 */
export type ActionRole = "user" | "tool" | "assistant" | "system" | "memory";

/** Every role, for schemas. */
export const ACTION_ROLES: readonly ActionRole[] = ["user", "tool", "assistant", "system", "memory"];

/** One string found in an action, with where it was found (a JSON pointer into `raw`). */
export interface ActionField {
  kind: ActionFieldKind;
  /** JSON pointer of the value inside `Action.raw`, e.g. `/message/text`. */
  path: string;
  value: string;
  /** Where the text came from; the action's role when absent (normalised actions always set it). */
  role?: ActionRole;
}

/** Chat types after normalisation (`dm` → `direct`). */
export type ChatType = "direct" | "group" | "channel";

/** Where a reply to the action would go. */
export interface DeliveryContext {
  channel: string | null;
  to: string | null;
  accountId?: string;
  threadId?: string;
}

/** Routing hints carried by an action, used for activation gating and decision events. */
export interface ActionRouting {
  chatType?: ChatType;
  wasMentioned?: boolean;
  /** The raw payload says whether a mention could be detected at all (seed §9.3). */
  canDetectMention?: boolean;
  hasAnyMention?: boolean;
  replyBack?: boolean;
  deliveryContext?: DeliveryContext;
  /** Sender id on the channel, when known (channel messages). */
  senderId?: string;
  /** Whether the sender may use bypass commands such as `/reset` in groups. */
  senderAuthorized?: boolean;
}

/**
 * Which agent, run and tool call an action belongs to (OpenClaw's ids, e.g. from the guard plugin),
 * and the directory its relative paths resolve against. Kept on the decision so the session history
 * and the decision events show which tool call of which run was stopped.
 */
export interface ActionContext {
  agentId?: string;
  runId?: string;
  toolCallId?: string;
  /** The agent's workspace: relative paths, `~`-free `..` walks and the workspace policy resolve against it, lexically. */
  workspaceDir?: string;
}

/** Where an action came from. */
export type ActionOrigin = "bridge" | "standalone" | "rpc" | "channel" | "replay";

/**
 * What extractors, channel drivers and `security.evaluate` hand to the defender. The host
 * normalises it into an {@link Action}: canonical session key, tool aliases, channel ids, digest.
 */
export interface ActionInput {
  /** Request id; `"unknown"` when absent. */
  id?: string;
  /** Event or method name the action came from. */
  source?: string;
  origin?: ActionOrigin;
  sessionKey?: string;
  prompt?: string;
  command?: string;
  url?: string;
  filePath?: string;
  tool?: string;
  channel?: string;
  /** Every text field found; the primary fields above are added if missing. */
  fields?: ActionField[];
  /** Where the text came from, for the primary fields and fields without a role of their own; default `user`. */
  role?: ActionRole;
  model?: { provider?: string; id?: string };
  routing?: ActionRouting;
  /** The JSON the action was extracted from. */
  raw?: unknown;
  /** Some text was cut to the extraction limits (depth, field count, field size); the host floors the verdict at `review`. */
  truncated?: boolean;
  /** Agent, run and tool call the action belongs to. */
  context?: ActionContext;
}

/** A normalised action, as detectors and policy see it. Treat it as read-only. */
export interface Action {
  readonly id: string;
  readonly source: string;
  readonly origin: ActionOrigin;
  /** Canonical session key (`agent:main:…`), or `global`. One key is one session everywhere. */
  readonly sessionKey: string;
  /** The session value as extracted, before canonicalisation. */
  readonly rawSessionKey?: string;
  readonly prompt?: string;
  readonly command?: string;
  readonly url?: string;
  readonly filePath?: string;
  /** Tool name trimmed, lowercased and alias-normalised (`bash` → `exec`). */
  readonly tool?: string;
  /** Tool name as received. */
  readonly rawTool?: string;
  /** Canonical channel id (`tg` → `telegram`). */
  readonly channel?: string;
  /** Every text field, each with its role. */
  readonly fields: readonly ActionField[];
  /** The action's role (fields without their own had it); `user` when the source did not say. */
  readonly role?: ActionRole;
  readonly model?: { provider?: string; id?: string };
  readonly routing: ActionRouting;
  readonly raw: unknown;
  /** Hex SHA-256 over the action's content; idempotency is keyed by id plus this digest. */
  readonly digest: string;
  readonly receivedAt: number;
  /** Some text was cut to the extraction limits; the host floors the verdict at `review` (tag `extraction_limit`). */
  readonly truncated?: boolean;
  /** Agent, run and tool call the action belongs to (bounded). */
  readonly context?: Readonly<ActionContext>;
}

/** One detector's contribution to a risk report. A finding is data, never an exception. */
export interface Finding {
  /** Name of the plugin that produced it. */
  detector: string;
  /** Risk points added (0–255); the sum is compared with the thresholds. */
  score: number;
  tags: string[];
  reasons: string[];
  /** JSON pointer of the field that matched, when one did. */
  field?: string;
  /** Name or source of the rule that matched. */
  pattern?: string;
  /** Minimum verdict this finding forces, whatever the score. */
  floor?: Verdict;
}

/** The findings collected for one action. Detectors only `add`. */
export interface RiskReport {
  readonly action: Action;
  readonly findings: readonly Finding[];
  add(finding: Finding): void;
  /** Uncapped sum of finding scores so far. */
  readonly risk: number;
  /** Strongest floor among the findings so far. */
  readonly floor: Verdict;
}

/** What the `decide` waterfall threads from tap to tap. */
export interface DecisionDraft {
  /** Current verdict; the host seeds it with the findings' floor. */
  action: Verdict;
  /** Uncapped risk (sum of scores plus any policy bonuses). */
  risk: number;
  reasons: string[];
  tags: string[];
  /** Set by a policy tap once it has classified the risk. Unclassified drafts fail closed. */
  classified: boolean;
}

/** The verdict on one action, as sent in `security.decision` and returned by `security.evaluate`. */
export interface Decision {
  action: Verdict;
  /** 0–100. */
  risk_score: number;
  reasons: string[];
  tags: string[];
  /** Always `talon` for decisions Talon makes. */
  source: string;
}

/** What `decision` observers receive. */
export interface DecisionRecord {
  readonly action: Action;
  readonly decision: Decision;
  readonly findings: readonly Finding[];
  /** The evaluation hit `runtime.eval_timeout_ms`. */
  readonly timedOut: boolean;
  /** The decision came from the idempotency cache. */
  readonly cached: boolean;
  readonly durationMs: number;
  /** Refused without evaluation because the queue was full (`runtime.max_queue`); tag `capacity_refused`. */
  readonly refused?: boolean;
}

/** Tool-name aliases applied to tools and to every policy entry (seed §7.1, fixed per §15 item 5; `automations` is upstream's). */
export const TOOL_ALIASES: Readonly<Record<string, string>> = { bash: "exec", "apply-patch": "apply_patch", automations: "cron" };

/** Trim, lowercase and alias-normalise a tool name. */
export function normalizeToolName(name: string): string {
  const key = name.trim().toLowerCase();
  return TOOL_ALIASES[key] ?? key;
}
