/**
 * The shapes a driver exchanges with the core channel runtime: what it hands to `ctx.receive`,
 * what `send` gets, and the references edits, reactions and polls carry.
 */
import type { ChatType, Decision } from "./action.ts";
import type { Attachment, InboundMessage, MessageSender } from "./channel.ts";

/** What a driver hands to `ctx.receive`: a normalised message without the fields the core fills in. */
export interface InboundDraft {
  /** Platform message id, unique per account. */
  id: string;
  /** `direct`, `group` or `channel`; aliases such as `dm` are accepted. */
  chatType: ChatType | string;
  chatId: string;
  threadId?: string;
  sender: MessageSender;
  text: string;
  /** Ids or handles mentioned in the message. */
  mentions?: string[];
  /** The bot itself was mentioned; leave it out when the platform cannot tell. */
  wasMentioned?: boolean;
  replyTo?: string;
  attachments?: Attachment[];
  /** The platform payload (kept for debugging; never sent to clients). */
  raw?: unknown;
  /** When the platform says the message was sent (ms); default now. */
  receivedAt?: number;
}

/** What happened to a message once the core finished with it. */
export interface InboundOutcome {
  /**
   * `decided`: the defender reached a decision; `gated`: a group message that did not mention the
   * bot (mention gating); `ignored` / `superseded`: the defender's scheduler skipped it;
   * `failed`: processing failed (the message stays in the inbox and is replayed on restart).
   */
  status: "decided" | "gated" | "ignored" | "superseded" | "failed";
  sessionKey: string;
  message: InboundMessage;
  decision?: Decision;
  reason?: string;
}

/**
 * The answer to `ctx.receive`. Acknowledge the platform (HTTP 2xx, an ACK frame, an advanced
 * offset) only once this resolves: an admitted message is stored durably and is never lost.
 */
export type ReceiveResult =
  /** Stored in the inbox; `outcome` settles (never rejects) when the defender has decided. */
  | { status: "admitted"; sessionKey: string; outcome: Promise<InboundOutcome> }
  /** Seen within the dedupe window (a platform redelivery); acknowledge it again. */
  | { status: "duplicate" }
  /** The driver's own message coming back; acknowledge and forget it. */
  | { status: "echo" }
  /** An `inbound` tap cancelled it. */
  | { status: "cancelled" };

/** One message for the platform, after the core's outbound hook and chunker. */
export interface OutboundChunk {
  chatId: string;
  chatType?: ChatType;
  threadId?: string;
  /** At most `limits.text` characters (and `limits.lines` lines); may be empty when only attachments go. */
  text: string;
  replyTo?: string;
  /** Only on the first chunk, and only when the driver declares `media`. */
  attachments?: Attachment[];
  /** Position of this chunk in its message (0-based) and the chunk count. */
  index: number;
  total: number;
  /**
   * Stable for this chunk across the core's retries, and across a resumed send with the same
   * idempotency key: pass it to the platform's own idempotency mechanism where there is one
   * (Matrix transaction ids, Telegram has none), so a retry after a lost answer never posts twice.
   */
  idempotencyKey: string;
}

/** What the core passes with every edit, delete, reaction and poll. */
export interface OperationContext {
  /** Stable across the core's retries of this one operation (see {@link OutboundChunk.idempotencyKey}). */
  idempotencyKey: string;
}

/** The platform's id for what was sent: proof the platform accepted it. */
export interface SentMessage {
  messageId: string;
}

/** A message on the platform, for edit, delete and react. */
export interface MessageRef {
  chatId: string;
  messageId: string;
  threadId?: string;
}

/** Where a typing indicator goes. */
export interface TypingTarget {
  chatId: string;
  threadId?: string;
}

/** A poll, validated by the core before it reaches the driver. */
export interface PollDraft {
  chatId: string;
  threadId?: string;
  question: string;
  options: string[];
  maxSelections?: number;
  durationSeconds?: number;
  anonymous?: boolean;
}

/** An inbound attachment to download: its platform id (`Attachment.id`) and, where it matters, its chat. */
export interface AttachmentRef {
  id: string;
  chatId?: string;
}

/** The bytes of a downloaded attachment. */
export interface AttachmentContent {
  data: Uint8Array;
  bytes: number;
  mimeType?: string;
  name?: string;
}
