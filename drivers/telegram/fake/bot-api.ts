/**
 * The fake's message methods, with the Bot API's checks and error texts (platforms.md §1.4):
 * sendMessage (1–4096 characters after parsing, topics, reply_parameters), editMessageText
 * ("message is not modified"), deleteMessage, setMessageReaction (one emoji from the fixed list),
 * sendChatAction, getMe and getFile.
 */
import { REACTION_EMOJI } from "../constants.ts";
import { ApiFailure, badRequest, type Params } from "./http.ts";
import { ParseError, render } from "./markup.ts";
import { botUser, type ChatState, type FakeState } from "./state.ts";

const TEXT_MAX = 4096;
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
const FILE_MAX = 20 * 1024 * 1024;

function chatOf(state: FakeState, params: Params, name = "chat_id"): ChatState {
  const raw = params.string(name);
  if (raw === undefined || raw === "") throw badRequest(`${name} is empty`);
  if (raw.startsWith("@")) {
    for (const chat of state.chats.values()) if (chat.chat.username && `@${chat.chat.username}` === raw) return chat;
    throw badRequest("chat not found");
  }
  const id = Number(raw);
  const chat = Number.isSafeInteger(id) ? state.chats.get(id) : undefined;
  if (!chat) throw badRequest("chat not found");
  return chat;
}

function shownText(params: Params): string {
  const text = params.string("text");
  if (text === undefined || text === "") throw badRequest("message text is empty");
  let shown: string;
  try {
    shown = render(text, params.string("parse_mode"));
  } catch (error) {
    if (error instanceof ParseError) throw badRequest(error.message);
    throw error;
  }
  if (shown.trim() === "") throw badRequest("message text is empty");
  if (shown.length > TEXT_MAX) throw badRequest("message is too long");
  return shown;
}

export function getMe(): unknown {
  return { ...botUser(), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
}

export function sendMessage(state: FakeState, params: Params): unknown {
  const target = chatOf(state, params);
  const text = shownText(params);
  const thread = params.int("message_thread_id");
  if (thread !== undefined && !target.topics.has(thread)) throw badRequest("message thread not found");
  const reply = params.json<{ message_id?: number; chat_id?: number | string; allow_sending_without_reply?: boolean }>("reply_parameters");
  let replied: Record<string, unknown> | undefined;
  if (reply !== undefined) {
    if (typeof reply !== "object" || reply === null || !Number.isSafeInteger(reply.message_id))
      throw badRequest("invalid reply parameters specified");
    const replyChat = reply.chat_id === undefined ? target.chat.id : Number(reply.chat_id);
    replied = state.messages.get(state.key(replyChat, reply.message_id!))?.message;
    if (!replied && reply.allow_sending_without_reply !== true) throw badRequest("message to be replied not found");
  }
  const messageId = target.nextMessageId++;
  const message: Record<string, unknown> = {
    message_id: messageId,
    from: botUser(),
    chat: target.chat,
    date: Math.floor(Date.now() / 1000),
    text,
  };
  if (thread !== undefined) Object.assign(message, { message_thread_id: thread, is_topic_message: true });
  if (replied) message.reply_to_message = { ...replied, reply_to_message: undefined };
  const key = state.key(target.chat.id, messageId);
  state.messages.set(key, { fromBot: true, text, message });
  state.sent.push({
    messageId: key,
    chatId: String(target.chat.id),
    text,
    ...(thread !== undefined ? { threadId: String(thread) } : {}),
    ...(replied ? { replyTo: state.key(target.chat.id, replied.message_id as number) } : {}),
  });
  return message;
}

function storedMessage(state: FakeState, params: Params, missing: string) {
  const target = chatOf(state, params);
  const messageId = params.int("message_id");
  if (messageId === undefined) throw badRequest("message_id is empty");
  const key = state.key(target.chat.id, messageId);
  const stored = state.messages.get(key);
  if (!stored) throw badRequest(missing);
  return { key, stored };
}

export function editMessageText(state: FakeState, params: Params): unknown {
  const { key, stored } = storedMessage(state, params, "message to edit not found");
  if (!stored.fromBot) throw badRequest("message can't be edited");
  const text = shownText(params);
  if (text === stored.text)
    throw badRequest(
      "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
  stored.text = text;
  stored.message = { ...stored.message, text, edit_date: Math.floor(Date.now() / 1000) };
  state.edits.push({ messageId: key, text });
  return stored.message;
}

export function deleteMessage(state: FakeState, params: Params): unknown {
  const { key } = storedMessage(state, params, "message to delete not found");
  state.messages.delete(key);
  state.deletions.push(key);
  return true;
}

export function setMessageReaction(state: FakeState, params: Params): unknown {
  const { key } = storedMessage(state, params, "message to react not found");
  const reaction = params.json<unknown>("reaction") ?? [];
  if (!Array.isArray(reaction)) throw badRequest("can't parse reaction types JSON object");
  if (reaction.length > 1) throw badRequest("REACTIONS_TOO_MANY");
  for (const item of reaction as { type?: unknown; emoji?: unknown }[]) {
    if (item?.type !== "emoji" || typeof item.emoji !== "string" || !REACTION_EMOJI.has(item.emoji)) throw badRequest("REACTION_INVALID");
    state.reactions.push({ messageId: key, emoji: item.emoji });
  }
  return true;
}

export function sendChatAction(state: FakeState, params: Params): unknown {
  const target = chatOf(state, params);
  const action = params.string("action");
  if (!action || !CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
  const thread = params.int("message_thread_id");
  if (thread !== undefined && !target.topics.has(thread)) throw badRequest("message thread not found");
  state.typings.push({ chatId: String(target.chat.id), ...(thread !== undefined ? { threadId: String(thread) } : {}) });
  return true;
}

export function getFile(state: FakeState, params: Params): unknown {
  const fileId = params.string("file_id");
  const file = fileId ? state.files.get(fileId) : undefined;
  if (!file) throw badRequest("invalid file_id");
  if (file.data.length > FILE_MAX) throw badRequest("file is too big");
  return { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.data.length, file_path: file.path };
}

/** Methods answered here (lowercase name → handler). */
export const MESSAGE_METHODS: Record<string, (state: FakeState, params: Params) => unknown> = {
  getme: () => getMe(),
  sendmessage: sendMessage,
  editmessagetext: editMessageText,
  deletemessage: deleteMessage,
  setmessagereaction: setMessageReaction,
  sendchataction: sendChatAction,
  getfile: getFile,
};

export { ApiFailure };
