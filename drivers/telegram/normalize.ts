/**
 * A Telegram `Update` → Talon's inbound draft (platforms.md §1.3 and §6): chat types (`private`,
 * `group`, `supergroup`, `channel`), forum topics (`message_thread_id` only when
 * `is_topic_message`), mentions from `entities`/`caption_entities` (UTF-16 offsets: JS string
 * indices), replies to the bot, the bot's own messages marked, files announced by `file_id` and
 * size (never downloaded here). Updates arrive from the network: every field is checked, and an
 * update that is not a message comes back as a reason to skip it, never as an exception.
 */
import type { Attachment, InboundDraft } from "@talon/sdk";
import { messageIdOf } from "./api.ts";

/** Who the bot is (`getMe`). */
export interface BotIdentity {
  id: number;
  username: string;
}

export type Normalized =
  | { kind: "message"; draft: InboundDraft }
  /** A kind of update the driver does not handle (callback queries, member changes, ...). */
  | { kind: "ignored"; reason: string }
  /** Not a valid update: missing or mistyped fields. */
  | { kind: "malformed"; reason: string };

interface User {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

interface Chat {
  id: number;
  type: string;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

interface Entity {
  type: string;
  offset: number;
  length: number;
  user?: User;
}

interface FileLike {
  file_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
}

interface Message {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: User;
  sender_chat?: Chat;
  date: number;
  edit_date?: number;
  chat: Chat;
  reply_to_message?: { message_id: number; from?: User };
  text?: string;
  entities?: Entity[];
  caption?: string;
  caption_entities?: Entity[];
  photo?: FileLike[];
  document?: FileLike;
  audio?: FileLike;
  voice?: FileLike;
  video?: FileLike;
  video_note?: FileLike;
  animation?: FileLike;
  sticker?: FileLike;
}

const MESSAGE_KINDS = ["message", "edited_message", "channel_post", "edited_channel_post"] as const;
const CHAT_TYPES: ReadonlySet<string> = new Set(["private", "group", "supergroup", "channel"]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value);

function displayName(user: User): string | undefined {
  const name = [user.first_name, user.last_name].filter((part) => typeof part === "string" && part !== "").join(" ");
  return name || (typeof user.username === "string" ? user.username : undefined);
}

/** Structural check of the fields the driver reads; the reason names the first bad one. */
function checkMessage(value: unknown): string | undefined {
  if (!isObject(value)) return "the message is not an object";
  if (!isInt(value.message_id)) return "message_id is missing or not an integer";
  if (!isObject(value.chat) || !isInt(value.chat.id)) return "chat.id is missing or not an integer";
  if (typeof value.chat.type !== "string" || !CHAT_TYPES.has(value.chat.type))
    return "chat.type is not private, group, supergroup or channel";
  if (value.from !== undefined && (!isObject(value.from) || !isInt(value.from.id))) return "from.id is not an integer";
  if (value.text !== undefined && typeof value.text !== "string") return "text is not a string";
  if (value.caption !== undefined && typeof value.caption !== "string") return "caption is not a string";
  if (value.message_thread_id !== undefined && !isInt(value.message_thread_id)) return "message_thread_id is not an integer";
  for (const key of ["entities", "caption_entities"] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return `${key} is not an array`;
    for (const entity of list)
      if (!isObject(entity) || typeof entity.type !== "string" || !isInt(entity.offset) || !isInt(entity.length))
        return `${key} holds a malformed entity`;
  }
  return undefined;
}

/** Files of a message, announced by id and size; the largest photo size stands for the photo. */
function attachmentsOf(message: Message): Attachment[] {
  const out: Attachment[] = [];
  const add = (kind: Attachment["kind"], file: FileLike | undefined, name?: string) => {
    if (!isObject(file) || typeof file.file_id !== "string" || file.file_id === "") return;
    const attachment: Attachment = { kind, id: file.file_id };
    const fileName = typeof file.file_name === "string" ? file.file_name : name;
    if (fileName) attachment.name = fileName;
    if (typeof file.mime_type === "string") attachment.mimeType = file.mime_type;
    if (isInt(file.file_size) && file.file_size >= 0) attachment.bytes = file.file_size;
    out.push(attachment);
  };
  if (Array.isArray(message.photo) && message.photo.length > 0) {
    const largest = message.photo.reduce((best, size) => ((size?.file_size ?? 0) >= (best?.file_size ?? 0) ? size : best));
    add("image", largest);
  }
  add("file", message.document);
  add("audio", message.audio);
  add("audio", message.voice);
  add("video", message.video);
  add("video", message.video_note);
  add("video", message.animation);
  add("image", message.sticker);
  return out;
}

interface MentionScan {
  mentions: string[];
  mentioned: boolean;
  /** UTF-16 spans of the bot's own `@username` (stripped from the text the agent reads). */
  ownSpans: [number, number][];
}

function scanEntities(text: string, entities: Entity[] | undefined, bot: BotIdentity): MentionScan {
  const scan: MentionScan = { mentions: [], mentioned: false, ownSpans: [] };
  const own = `@${bot.username}`.toLowerCase();
  for (const entity of entities ?? []) {
    const end = entity.offset + entity.length;
    if (entity.offset < 0 || entity.length <= 0 || end > text.length) continue;
    const slice = text.slice(entity.offset, end);
    if (entity.type === "mention") {
      scan.mentions.push(slice);
      if (slice.toLowerCase() === own) {
        scan.mentioned = true;
        scan.ownSpans.push([entity.offset, end]);
      }
    } else if (entity.type === "text_mention" && isObject(entity.user) && isInt(entity.user.id)) {
      scan.mentions.push(String(entity.user.id));
      if (entity.user.id === bot.id) scan.mentioned = true;
    } else if (entity.type === "bot_command") {
      const at = slice.indexOf("@");
      if (at > 0 && slice.slice(at).toLowerCase() === own) {
        scan.mentioned = true;
        scan.ownSpans.push([entity.offset + at, end]);
      }
    }
  }
  return scan;
}

/** The text without the bot's own `@username` spans, whitespace tidied where they were. */
function stripSpans(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    out += text.slice(at, start);
    at = end;
  }
  out += text.slice(at);
  return out.replace(/[ \t]{2,}/g, " ").trim();
}

/** Normalise one update for the bot `bot`. */
export function normalizeUpdate(update: unknown, bot: BotIdentity): Normalized {
  if (!isObject(update) || !isInt(update.update_id)) return { kind: "malformed", reason: "update_id is missing or not an integer" };
  const kind = MESSAGE_KINDS.find((key) => update[key] !== undefined);
  if (!kind) {
    const other = Object.keys(update).find((key) => key !== "update_id");
    return { kind: "ignored", reason: other ? `update kind ${other.slice(0, 40)} is not handled` : "empty update" };
  }
  const problem = checkMessage(update[kind]);
  if (problem) return { kind: "malformed", reason: `${kind}: ${problem}` };
  const message = update[kind] as unknown as Message;
  const chat = message.chat;
  const edited = kind === "edited_message" || kind === "edited_channel_post";
  const body = message.text ?? message.caption ?? "";
  const scan = scanEntities(body, message.text !== undefined ? message.entities : message.caption_entities, bot);
  const repliedToBot = isObject(message.reply_to_message) && message.reply_to_message.from?.id === bot.id;
  // Telegram fills message_thread_id for replies outside forums too (the reply chain's root):
  // only a topic message belongs to a topic.
  const topic = message.is_topic_message === true && isInt(message.message_thread_id) ? message.message_thread_id : undefined;
  const sender = isObject(message.from)
    ? {
        id: String(message.from.id),
        name: displayName(message.from),
        isBot: message.from.is_bot === true,
        isSelf: message.from.id === bot.id,
      }
    : isObject(message.sender_chat) && isInt(message.sender_chat.id)
      ? { id: String(message.sender_chat.id), name: message.sender_chat.title }
      : { id: String(chat.id), name: chat.title };
  if (sender.name === undefined) delete sender.name;
  const baseId = messageIdOf(chat.id, message.message_id);
  const draft: InboundDraft = {
    // An edit is a new text to screen (an edit can turn a harmless message into an injection).
    id: edited ? `${baseId}:edit:${isInt(message.edit_date) ? message.edit_date : update.update_id}` : baseId,
    chatType: chat.type,
    chatId: String(chat.id),
    sender,
    text: stripSpans(body, scan.ownSpans),
    mentions: scan.mentions,
    wasMentioned: scan.mentioned || repliedToBot,
    attachments: attachmentsOf(message),
    raw: update,
    receivedAt: ((edited && isInt(message.edit_date) ? message.edit_date : message.date) ?? Math.floor(Date.now() / 1000)) * 1000,
  };
  if (topic !== undefined) draft.threadId = String(topic);
  const reply = message.reply_to_message;
  // In a topic, a message without an explicit reply points at the topic's first message.
  if (isObject(reply) && isInt(reply.message_id) && reply.message_id !== topic) draft.replyTo = messageIdOf(chat.id, reply.message_id);
  return { kind: "message", draft };
}
