/**
 * Slack events → Talon's normalised inbound message (platforms.md §3.4 and §6).
 *
 * - Message ids are `<channel>:<ts>`: Slack's `ts` is unique only within its channel, and Talon
 *   dedupes by id per account. The same id comes from the `message` and the `app_mention` event
 *   of one mention, so whichever arrives second is a duplicate.
 * - Chat types as upstream OpenClaw maps them: `im` → direct, `mpim` → group, public (`channel`)
 *   and private (`group`) channels → channel.
 * - The bot's own posts (its `bot_id` or `user_id`) are handed over marked `isSelf`, so the core
 *   drops and counts them; other bots only with `allowBots`; edits, deletions, joins and other
 *   subtypes are not messages.
 * - Text is unescaped (`&lt;` `&gt;` `&amp;`, Slack's only escapes) so the defender reads what the
 *   person typed, and the bot's own `<@id>` is taken out.
 */
import type { Attachment, ChatType, InboundDraft, LruMap } from "@talon/sdk";

/** Who the bot is (`auth.test`). */
export interface SlackIdentity {
  userId: string;
  botId?: string;
  teamId?: string;
}

export type Normalized = { kind: "message"; draft: InboundDraft } | { kind: "skip"; reason: string };

/** Subtypes that are still someone's message; every other subtype is an event about a message. */
const MESSAGE_SUBTYPES = new Set(["thread_broadcast", "me_message", "file_share", "bot_message"]);
/** Files described per message, at most. */
const MAX_FILES = 20;
const USER_MENTION = /<@([A-Z0-9]+)(?:\|[^>]*)?>/g;
const SPECIAL_MENTION = /<!(here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>/g;

type SlackEvent = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Slack escapes only these three in message text. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Escape text Talon posts, so a reply can never ping `@channel` or a user, or fake a link. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack's own chat-type words → Talon's. */
export function chatTypeOf(channelType: string | undefined, channel: string): ChatType {
  switch (channelType) {
    case "im":
      return "direct";
    case "mpim":
      return "group";
    case "channel":
    case "group":
      return "channel";
    default:
      // No channel_type (app_mention): by the id's prefix. D = direct message; G = group DM (or a
      // private channel made before 2021); C = channel.
      return channel.startsWith("D") ? "direct" : channel.startsWith("G") ? "group" : "channel";
  }
}

function mentionsOf(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(USER_MENTION)) found.add(match[1]!);
  for (const match of text.matchAll(SPECIAL_MENTION)) found.add(`!${match[1]}`);
  return [...found];
}

function withoutSelf(text: string, userId: string): string {
  const self = new RegExp(`<@${userId}(?:\\|[^>]*)?>[ \\t]?`, "g");
  return text.replace(self, "").trim();
}

function attachmentsOf(files: unknown): Attachment[] {
  if (!Array.isArray(files)) return [];
  const out: Attachment[] = [];
  for (const file of files.slice(0, MAX_FILES)) {
    if (typeof file !== "object" || file === null) continue;
    const f = file as Record<string, unknown>;
    const mime = str(f.mimetype);
    const kind = mime?.startsWith("image/")
      ? "image"
      : mime?.startsWith("audio/")
        ? "audio"
        : mime?.startsWith("video/")
          ? "video"
          : "file";
    const attachment: Attachment = { kind };
    const url = str(f.url_private) ?? str(f.permalink);
    if (url) attachment.url = url;
    const name = str(f.name) ?? str(f.title);
    if (name) attachment.name = name;
    if (mime) attachment.mimeType = mime;
    if (typeof f.size === "number") attachment.bytes = f.size;
    out.push(attachment);
  }
  return out;
}

/**
 * The draft for one Slack event, or why it is not a message. `channelTypes` remembers the chat
 * type each channel's `message` events carried, so an `app_mention` (which has none) is typed
 * the same way, and is known to be covered by the `message` event of the same post.
 */
export function normalizeEvent(
  value: unknown,
  self: SlackIdentity,
  options: { allowBots: boolean; channelTypes: LruMap<string, ChatType> },
): Normalized {
  if (typeof value !== "object" || value === null) return { kind: "skip", reason: "event is not an object" };
  const event = value as SlackEvent;
  const type = str(event.type);
  if (type !== "message" && type !== "app_mention") return { kind: "skip", reason: `event type ${String(type)} is not a message` };
  const subtype = str(event.subtype);
  if (subtype && !MESSAGE_SUBTYPES.has(subtype)) return { kind: "skip", reason: `message subtype ${subtype}` };
  const channel = str(event.channel);
  const ts = str(event.ts);
  if (!channel || !ts) return { kind: "skip", reason: "message without channel or ts" };
  const botId = str(event.bot_id);
  const user = str(event.user);
  const isSelf = (botId !== undefined && botId === self.botId) || user === self.userId;
  const isBot = botId !== undefined || subtype === "bot_message";
  if (isBot && !isSelf && !options.allowBots) return { kind: "skip", reason: "message from another bot" };
  const senderId = user ?? botId;
  if (!senderId) return { kind: "skip", reason: "message without a sender" };

  let chatType: ChatType;
  if (type === "message") {
    chatType = chatTypeOf(str(event.channel_type), channel);
    if (options.channelTypes.peek(channel) !== chatType) options.channelTypes.set(channel, chatType);
  } else {
    const known = options.channelTypes.get(channel);
    // Slack sends this mention as a `message` event too, with the channel's type.
    if (known !== undefined) return { kind: "skip", reason: "app_mention of a channel whose message events arrive" };
    chatType = chatTypeOf(undefined, channel);
  }

  const raw = typeof event.text === "string" ? event.text : "";
  const mentions = mentionsOf(raw);
  const draft: InboundDraft = {
    id: `${channel}:${ts}`,
    chatType,
    chatId: channel,
    sender: { id: senderId, ...(isBot ? { isBot: true } : {}), ...(isSelf ? { isSelf: true } : {}) },
    text: unescapeSlackText(withoutSelf(raw, self.userId)),
    mentions,
    raw: value,
  };
  const profile = event.user_profile as Record<string, unknown> | undefined;
  const name = str(profile?.display_name) ?? str(profile?.real_name) ?? str(event.username);
  if (name) draft.sender.name = name;
  if (chatType !== "direct") draft.wasMentioned = type === "app_mention" || mentions.includes(self.userId);
  const threadTs = str(event.thread_ts);
  if (threadTs && threadTs !== ts) {
    draft.threadId = threadTs;
    // A reply in a thread answers its parent: a thread the bot started counts as addressed to it.
    draft.replyTo = `${channel}:${threadTs}`;
  }
  const attachments = attachmentsOf(event.files);
  if (attachments.length > 0) draft.attachments = attachments;
  const seconds = Number(ts);
  if (Number.isFinite(seconds) && seconds > 0) draft.receivedAt = Math.round(seconds * 1000);
  return { kind: "message", draft };
}

/**
 * A message reference (`<channel>:<ts>` as Talon names messages, or a bare `ts`) as Slack's
 * `channel` and `ts`; `fallbackChannel` when the reference has no channel. A `ts` never holds `:`.
 */
export function messageRefOf(id: string, fallbackChannel: string): { channel: string; ts: string } {
  const at = id.lastIndexOf(":");
  return at > 0 ? { channel: id.slice(0, at), ts: id.slice(at + 1) } : { channel: fallbackChannel, ts: id };
}
