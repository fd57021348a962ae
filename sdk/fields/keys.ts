/**
 * The key lists of the seed's extraction (seed-defender §2.4, §3.6, §3.10, §9.3), in priority
 * order. Exact strings: the seed matches keys case-sensitively.
 */
import type { ActionFieldKind } from "../action.ts";

/** Prompt-ish keys (seed §2.4). */
export const PROMPT_KEYS = ["prompt", "message", "text", "input"] as const;
/** Command-ish keys (seed §2.4). */
export const COMMAND_KEYS = ["command", "shell", "bash", "exec"] as const;
/** Argument vectors that stand for a command (upstream's `exec.approval.request` carries `commandArgv`). */
export const ARGV_KEYS = ["commandArgv", "argv"] as const;
/** URL keys (seed §2.4). */
export const URL_KEYS = ["url", "artifact_url", "artifactUrl"] as const;
/** File path keys (seed §2.4). */
export const FILE_KEYS = ["file_path", "filePath", "artifact_path", "artifactPath"] as const;
/** Tool name keys (seed §2.4). */
export const TOOL_KEYS = ["tool", "tool_name", "toolName"] as const;
/** Channel keys (seed §2.4). `provider` only counts when it names a channel (seed §15 item 13). */
export const CHANNEL_KEYS = ["channel", "channel_name", "channelName", "platform", "provider"] as const;
/** Request id keys (seed §2.4). */
export const ID_KEYS = ["id", "request_id", "requestId", "runId", "action_id", "actionId"] as const;
/** Session keys (seed §2.4); `sessionKey` wins over `sessionId` at the same level. */
export const SESSION_KEYS = ["sessionKey", "session_key", "sessionId", "session_id"] as const;
/** Model provider keys (seed §3.6). */
export const MODEL_PROVIDER_KEYS = ["modelProvider", "model_provider", "provider", "providerId"] as const;
/** Model id keys (seed §3.6). */
export const MODEL_ID_KEYS = ["model", "modelId", "model_id", "modelName"] as const;

/** Top-level routing keys (seed §3.10, §9.3). */
export const ROUTING_KEYS = {
  chatType: ["chatType", "chat_type"],
  /** Group detection for activation also reads these (seed §9.3). */
  groupHint: ["chatType", "chat_type", "chat", "roomType", "room_type"],
  wasMentioned: ["wasMentioned", "WasMentioned"],
  /** Any of these present means a mention can be detected (seed §9.3). */
  mentionPresence: ["wasMentioned", "WasMentioned", "mentioned", "isMentioned", "requireMentionSatisfied"],
  hasAnyMention: ["hasAnyMention", "anyMention"],
  replyBack: ["replyBack", "reply_back"],
  deliveryChannel: ["channel", "provider", "platform"],
  to: ["to", "recipient", "peer", "target"],
  accountId: ["accountId", "account_id"],
  threadId: ["threadId", "thread_id", "topicId", "topic_id"],
  senderId: ["senderId", "sender_id"],
} as const;

/** Which kind of text a key holds, for every key whose values become Action fields. */
export const FIELD_KIND_BY_KEY: ReadonlyMap<string, Exclude<ActionFieldKind, "text">> = new Map<string, Exclude<ActionFieldKind, "text">>([
  ...PROMPT_KEYS.map((key) => [key, "prompt"] as const),
  ...COMMAND_KEYS.map((key) => [key, "command"] as const),
  ...ARGV_KEYS.map((key) => [key, "command"] as const),
  ...URL_KEYS.map((key) => [key, "url"] as const),
  ...FILE_KEYS.map((key) => [key, "file"] as const),
]);

/**
 * Keys whose string values are identifiers or routing, not text an agent reads or runs. Every
 * other string leaf becomes a `text` field that detectors may scan.
 */
export const NON_TEXT_KEYS: ReadonlySet<string> = new Set<string>([
  ...TOOL_KEYS,
  ...CHANNEL_KEYS,
  ...ID_KEYS,
  ...SESSION_KEYS,
  ...MODEL_PROVIDER_KEYS,
  ...MODEL_ID_KEYS,
  ...Object.values(ROUTING_KEYS).flat(),
  "type",
  "event",
  "method",
  "role",
  "kind",
  "status",
  "state",
  "stream",
  "ts",
  "timestamp",
  "agentId",
  "agent_id",
  "nodeId",
  "connId",
  "toolCallId",
  "seq",
  "createdAtMs",
  "expiresAtMs",
  "approvalKind",
  "sha256",
  "cwd",
]);
