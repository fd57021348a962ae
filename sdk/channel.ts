/**
 * Normalised channel messages: one inbound shape for every driver, one outbound shape for every
 * send. The core channel runtime (chunking, rate limits, retries, dedupe, mention gating) works
 * on these; drivers only convert to and from their platform's wire format.
 */
import type { ChatType } from "./action.ts";
import { CHANNEL_PLATFORMS, KNOWN_CHANNELS, type ChannelDirectory } from "./channel-platforms.ts";
import type { ChannelDriverDefinition } from "./driver.ts";
import type { DriverPluginConfig } from "./driver-config.ts";
import type { AttachmentContent, AttachmentRef, MessageRef, PollDraft, SentMessage, TypingTarget } from "./driver-messages.ts";
import type { PluginContext } from "./plugin.ts";

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
  /**
   * The platform's own id of an inbound file (Telegram `file_id`, Slack file id) whose bytes were
   * not downloaded: fetch them on demand with `ctx.channels.fetchAttachment`.
   */
  id?: string;
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
  threadId?: string;
  /** An `outbound` tap cancelled the message; nothing was sent. */
  cancelled?: boolean;
}

/** Context given to `inbound` / `outbound` taps. */
export interface ChannelContext {
  channel: string;
  accountId: string;
}

/** Which account of which driver a call is for; `accountId` defaults to the driver's default account. */
export interface ChannelTarget {
  channel: string;
  accountId?: string;
}

/**
 * The channel runtime as plugins see it (`ctx.channels`). Drivers register through
 * `defineChannelDriver`; any plugin can send through a registered driver.
 */
export interface ChannelsApi {
  /** Register a channel driver for every account in `plugin.config` (called by `defineChannelDriver`'s setup). */
  register(driver: ChannelDriverDefinition<unknown>, plugin: PluginContext<DriverPluginConfig<unknown>>): void;
  /** Send through the driver named by `message.channel`: outbound hook, chunking, rate limits, retries. */
  send(message: OutboundMessage): Promise<SendReceipt>;
  /** Edit a sent message (drivers declaring `edit`). */
  edit(target: ChannelTarget, ref: MessageRef, text: string): Promise<void>;
  /** Delete a sent message (drivers declaring `delete`). */
  delete(target: ChannelTarget, ref: MessageRef): Promise<void>;
  /** React to a message (drivers declaring `reactions`). */
  react(target: ChannelTarget, ref: MessageRef, emoji: string): Promise<void>;
  /** Show a typing indicator (drivers declaring `typing`). */
  typing(target: ChannelTarget, where: TypingTarget): Promise<void>;
  /** Send a poll (drivers declaring `polls`). */
  poll(target: ChannelTarget, poll: PollDraft): Promise<SentMessage & { pollId?: string }>;
  /**
   * Download an inbound attachment announced by its platform id (`Attachment.id`), at most
   * `maxBytes` (default: the driver's `limits.mediaBytes`, else 20 MiB). Drivers without
   * `fetchAttachment` answer TALON_CHANNEL_NOT_SUPPORTED.
   */
  fetchAttachment(target: ChannelTarget, ref: AttachmentRef, options?: { maxBytes?: number }): Promise<AttachmentContent>;
  /** Ids of the loaded drivers. */
  list(): string[];
  /**
   * The chunks `send` would deliver for `text` on `target.channel`: that driver's limits when it is
   * loaded, else the known channels' table (`CHANNEL_PLATFORMS`), else 4000 characters. Nothing is sent.
   */
  chunk(text: string, target: ChannelTarget): string[];
  /** Known channels: the table plus every loaded driver's declaration (ids, aliases, chat-type words). */
  readonly directory: Pick<ChannelDirectory, "normalizeId" | "has" | "get" | "ids" | "chatType">;
}

/** Channel id aliases (seed §8.2) of the known channels: `tg` → `telegram`, `wa` → `whatsapp`, ... */
export const CHANNEL_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  CHANNEL_PLATFORMS.flatMap((platform) => (platform.aliases ?? []).map((alias) => [alias, platform.id])),
);

/** Trim, lowercase and alias-normalise a channel id by the known channels; `undefined` for blank input. */
export function normalizeChannelId(value: string | undefined): string | undefined {
  return KNOWN_CHANNELS.normalizeId(value);
}

/** Chat type normalisation (seed §8.3): `dm` → `direct`, and the channel's own words when it is named; unknown → `undefined`. */
export function normalizeChatType(value: string | undefined, channel?: string): ChatType | undefined {
  return KNOWN_CHANNELS.chatType(value, channel);
}

/** The account id of the single-account shorthand config. */
export const DEFAULT_ACCOUNT_ID = "default";

/** Percent-encode what would break a session-key segment (`:`, `%`, whitespace, controls). */
function encodeSegment(value: string): string {
  return value.replace(/[%:\s\u0000-\u001f\u007f]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Where a channel message belongs: its channel, account, chat type and peer. */
export interface ChannelRoute {
  channel: string;
  accountId: string;
  chatType: ChatType;
  /** The chat (group or channel) id. */
  chatId: string;
  /** The sender; a direct chat is keyed by its peer, not by the platform's DM channel id. */
  senderId: string;
  /** Thread or topic; it becomes the key's `topic` segment in groups and channels. */
  threadId?: string;
}

/**
 * The canonical session key of a channel message (seed-gateway §3): `agent:main:<channel>:dm:<peer>`,
 * `agent:main:<channel>:group:<chat>[:topic:<thread>]`, `agent:main:<channel>:channel:<chat>`.
 * A non-default account prefixes the scope (`...:dm:<account>:<peer>`); ids are percent-encoded
 * so a `:` inside an id can never forge another key.
 */
export function channelSessionKey(route: ChannelRoute): string {
  const channel = normalizeChannelId(route.channel) ?? "unknown";
  const account = route.accountId && route.accountId !== DEFAULT_ACCOUNT_ID ? `${encodeSegment(route.accountId)}:` : "";
  if (route.chatType === "direct") return `agent:main:${channel}:dm:${account}${encodeSegment(route.senderId)}`;
  const topic = route.threadId ? `:topic:${encodeSegment(route.threadId)}` : "";
  return `agent:main:${channel}:${route.chatType === "channel" ? "channel" : "group"}:${account}${encodeSegment(route.chatId)}${topic}`;
}
