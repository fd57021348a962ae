/**
 * Normalised channel messages: one inbound shape for every driver, one outbound shape for every
 * send. The core channel runtime (chunking, rate limits, retries, dedupe, mention gating) works
 * on these; drivers only convert to and from their platform's wire format.
 */
import type { ChatType } from "./action.ts";

export interface MessageSender {
  id: string;
  name?: string;
  /** The sender is a bot account. */
  isBot?: boolean;
  /** The sender is this driver's own account (echo of our own message). */
  isSelf?: boolean;
}

export interface Attachment {
  kind: "image" | "audio" | "video" | "file";
  url?: string;
  name?: string;
  mimeType?: string;
  bytes?: number;
}

/** A message received by a driver, normalised. */
export interface InboundMessage {
  /** Platform message id, unique per channel and account. */
  id: string;
  /** Driver id, e.g. `telegram`. */
  channel: string;
  accountId: string;
  chatType: ChatType;
  chatId: string;
  threadId?: string;
  sender: MessageSender;
  text: string;
  /** Ids (or handles) mentioned in the message. */
  mentions: string[];
  /** The bot itself was mentioned; absent when the platform cannot tell. */
  wasMentioned?: boolean;
  replyTo?: string;
  attachments: Attachment[];
  /** The platform payload, kept for detectors and debugging. */
  raw: unknown;
  receivedAt: number;
}

/** A message to send through a driver, before chunking. */
export interface OutboundMessage {
  channel: string;
  accountId?: string;
  /** Target chat (or user) id on the platform. */
  chatId: string;
  chatType?: ChatType;
  threadId?: string;
  text: string;
  replyTo?: string;
  attachments?: Attachment[];
  /** Same key, same send: repeats return the first receipt. */
  idempotencyKey?: string;
}

/** What a successful send returns: the platform's message ids, one per chunk. */
export interface SendReceipt {
  channel: string;
  accountId: string;
  chatId: string;
  messageIds: string[];
  chunks: number;
}

/** Context given to `inbound` / `outbound` taps. */
export interface ChannelContext {
  channel: string;
  accountId: string;
}

/**
 * The channel runtime as plugins see it (`ctx.channels`). Drivers register through
 * `defineChannelDriver`; any plugin can send through a registered driver.
 */
export interface ChannelsApi {
  /** Register a channel driver definition (called by `defineChannelDriver`'s setup). */
  register(driver: unknown, config: unknown): void;
  /** Send through the driver named by `message.channel`: outbound hook, chunking, rate limits, retries. */
  send(message: OutboundMessage): Promise<SendReceipt>;
}

/** Channel id aliases (seed §8.2): `tg` → `telegram`, `wa` → `whatsapp`, ... */
export const CHANNEL_ALIASES: Readonly<Record<string, string>> = {
  tg: "telegram",
  grammy: "telegram",
  wa: "whatsapp",
  baileys: "whatsapp",
  "signal-cli": "signal",
  "web-chat": "webchat",
  web_chat: "webchat",
  "webchat-ui": "webchat",
};

/** Trim, lowercase and alias-normalise a channel id; `undefined` for blank input. */
export function normalizeChannelId(value: string | undefined): string | undefined {
  const key = value?.trim().toLowerCase();
  if (!key) return undefined;
  return CHANNEL_ALIASES[key] ?? key;
}

/** Chat type normalisation (seed §8.3): `dm` → `direct`; unknown values → `undefined`. */
export function normalizeChatType(value: string | undefined): import("./action.ts").ChatType | undefined {
  switch (value?.trim().toLowerCase()) {
    case "direct":
    case "dm":
      return "direct";
    case "group":
      return "group";
    case "channel":
      return "channel";
    default:
      return undefined;
  }
}
