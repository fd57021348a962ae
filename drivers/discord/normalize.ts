/**
 * A Discord MESSAGE_CREATE → Talon's inbound draft. Direct messages (no `guild_id`) are `direct`,
 * group DMs (channel type 3) `group`, guild channels `channel`; a thread becomes its parent chat
 * plus `threadId`. The bot is mentioned when `mentions` lists it (`<@id>` or the legacy `<@!id>`)
 * or when the message replies to one of its own; its own mention token is stripped from the text
 * the agent reads. Embed text goes into the text too, so the defender sees every field a user
 * can write in.
 */
import type { Attachment, InboundDraft } from "@talon/sdk";
import type { APIAttachment, APIEmbed, GatewayMessageCreateDispatchData } from "discord-api-types/v10";
import { ChannelType } from "./constants.ts";

/** MESSAGE_CREATE's data (a message plus `guild_id`, `member`, `channel_type`). */
export type GatewayMessage = GatewayMessageCreateDispatchData & { channel_type?: number };

/** Where the message landed in Talon's terms. */
export interface Place {
  chatId: string;
  threadId?: string;
}

/** A payload that has what a message needs; anything else is malformed. */
export function isMessage(d: unknown): d is GatewayMessage {
  const m = d as Partial<GatewayMessage> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.id === "string" &&
    typeof m.channel_id === "string" &&
    typeof m.author === "object" &&
    m.author !== null &&
    typeof m.author.id === "string"
  );
}

function kindOf(attachment: APIAttachment): Attachment["kind"] {
  const type = attachment.content_type ?? "";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return "file";
}

function embedText(embed: APIEmbed): string {
  const parts = [
    embed.author?.name,
    embed.title,
    embed.description,
    ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
    embed.footer?.text,
  ];
  return parts.filter((part): part is string => typeof part === "string" && part.trim() !== "").join("\n");
}

let ownMention = { id: "", pattern: /$^/g };
/** `<@id>` and `<@!id>` of the bot (built once per bot id). */
function ownMentionOf(selfId: string): RegExp {
  if (ownMention.id !== selfId) ownMention = { id: selfId, pattern: new RegExp(`<@!?${selfId.replace(/[^\w]/g, "\\$&")}>`, "g") };
  ownMention.pattern.lastIndex = 0;
  return ownMention.pattern;
}

/** The draft for a message; `selfId` is the bot's user id (READY.user.id). */
export function toDraft(message: GatewayMessage, selfId: string, place: Place): InboundDraft {
  const mine = ownMentionOf(selfId);
  const content = typeof message.content === "string" ? message.content : "";
  const mentionIds = Array.isArray(message.mentions) ? message.mentions.map((user) => user.id).filter((id) => typeof id === "string") : [];
  const repliesToBot = message.referenced_message?.author?.id === selfId && message.message_reference?.type !== 1;
  const mentioned = mentionIds.includes(selfId) || mine.test(content) || repliesToBot;
  mine.lastIndex = 0;
  const embeds = (message.embeds ?? []).map(embedText).filter((text) => text !== "");
  const text = [
    content
      .replace(mine, "")
      .replace(/[ \t]{2,}/g, " ")
      .trim(),
    ...embeds,
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  const author = message.author;
  const draft: InboundDraft = {
    id: message.id,
    chatType: message.guild_id ? "channel" : message.channel_type === ChannelType.GroupDM ? "group" : "direct",
    chatId: place.chatId,
    sender: {
      id: author.id,
      name: message.member?.nick ?? author.global_name ?? author.username,
      isBot: author.bot === true,
      isSelf: author.id === selfId,
    },
    text,
    mentions: mentionIds,
    wasMentioned: mentioned,
    raw: message,
  };
  if (place.threadId) draft.threadId = place.threadId;
  const reference = message.message_reference;
  if (reference?.message_id && reference.type !== 1) draft.replyTo = reference.message_id;
  if (Array.isArray(message.attachments) && message.attachments.length > 0) {
    draft.attachments = message.attachments.map((attachment) => {
      const out: Attachment = { kind: kindOf(attachment), url: attachment.url, name: attachment.filename };
      if (attachment.content_type) out.mimeType = attachment.content_type;
      if (typeof attachment.size === "number") out.bytes = attachment.size;
      return out;
    });
  }
  const at = Date.parse(message.timestamp);
  if (Number.isFinite(at)) draft.receivedAt = at;
  return draft;
}
