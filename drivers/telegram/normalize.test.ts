// Telegram updates → Talon drafts: chat types, topics, mentions (UTF-16 offsets), replies, files,
// the bot's own messages, edits, and updates that are not messages or not valid.
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeUpdate, type BotIdentity } from "./normalize.ts";

const BOT: BotIdentity = { id: 42, username: "Talon_Bot" };
const user = { id: 7, is_bot: false, first_name: "Ada", last_name: "L" };
const group = { id: -1001234567890, type: "supergroup", title: "Ops" };

function draftOf(update: unknown) {
  const result = normalizeUpdate(update, BOT);
  assert.equal(result.kind, "message", JSON.stringify(result));
  return (result as { draft: any }).draft;
}

test("a private message: direct chat keyed by the user, with name, id <chat>:<message> and time", () => {
  const draft = draftOf({
    update_id: 1,
    message: { message_id: 5, date: 1_700_000_000, chat: { id: 7, type: "private" }, from: user, text: "hi" },
  });
  assert.equal(draft.id, "7:5");
  assert.equal(draft.chatType, "private");
  assert.equal(draft.chatId, "7");
  assert.deepEqual(draft.sender, { id: "7", name: "Ada L", isBot: false, isSelf: false });
  assert.equal(draft.text, "hi");
  assert.equal(draft.wasMentioned, false);
  assert.equal(draft.receivedAt, 1_700_000_000_000);
});

test("mentions: @username entity (case-insensitive, UTF-16 offsets) is stripped; others are listed", () => {
  const text = "😀 @talon_bot look at @someone";
  const draft = draftOf({
    update_id: 2,
    message: {
      message_id: 1,
      date: 1,
      chat: group,
      from: user,
      text,
      entities: [
        { type: "mention", offset: 3, length: 10 },
        { type: "mention", offset: 22, length: 8 },
      ],
    },
  });
  assert.equal(draft.wasMentioned, true);
  assert.deepEqual(draft.mentions, ["@talon_bot", "@someone"]);
  assert.equal(draft.text, "😀 look at @someone");
});

test("mentions: text_mention of the bot, /command@bot, a reply to the bot, caption entities", () => {
  const byTextMention = draftOf({
    update_id: 3,
    message: {
      message_id: 1,
      date: 1,
      chat: group,
      from: user,
      text: "Talon help",
      entities: [{ type: "text_mention", offset: 0, length: 5, user: { id: 42 } }],
    },
  });
  assert.equal(byTextMention.wasMentioned, true);
  assert.deepEqual(byTextMention.mentions, ["42"]);
  const command = draftOf({
    update_id: 4,
    message: {
      message_id: 2,
      date: 1,
      chat: group,
      from: user,
      text: "/reset@Talon_Bot now",
      entities: [{ type: "bot_command", offset: 0, length: 16 }],
    },
  });
  assert.equal(command.wasMentioned, true);
  assert.equal(command.text, "/reset now");
  const otherBotCommand = draftOf({
    update_id: 5,
    message: {
      message_id: 3,
      date: 1,
      chat: group,
      from: user,
      text: "/reset@other_bot",
      entities: [{ type: "bot_command", offset: 0, length: 16 }],
    },
  });
  assert.equal(otherBotCommand.wasMentioned, false);
  const reply = draftOf({
    update_id: 6,
    message: {
      message_id: 4,
      date: 1,
      chat: group,
      from: user,
      text: "and?",
      reply_to_message: { message_id: 3, date: 1, chat: group, from: { id: 42, is_bot: true, first_name: "T" } },
    },
  });
  assert.equal(reply.wasMentioned, true);
  assert.equal(reply.replyTo, `${group.id}:3`);
  const caption = draftOf({
    update_id: 7,
    message: {
      message_id: 5,
      date: 1,
      chat: group,
      from: user,
      caption: "@talon_bot see",
      caption_entities: [{ type: "mention", offset: 0, length: 10 }],
      document: { file_id: "F1", file_size: 10 },
    },
  });
  assert.equal(caption.wasMentioned, true);
  assert.equal(caption.text, "see");
});

test("topics: thread id only for topic messages; a non-forum reply's message_thread_id is not a topic", () => {
  const inTopic = draftOf({
    update_id: 8,
    message: {
      message_id: 30,
      message_thread_id: 12,
      is_topic_message: true,
      date: 1,
      chat: { ...group, is_forum: true },
      from: user,
      text: "x",
      reply_to_message: { message_id: 12, date: 1, chat: group },
    },
  });
  assert.equal(inTopic.threadId, "12");
  assert.equal(inTopic.replyTo, undefined, "the topic's opening message is not a reply");
  const plainReply = draftOf({
    update_id: 9,
    message: {
      message_id: 31,
      message_thread_id: 20,
      date: 1,
      chat: group,
      from: user,
      text: "y",
      reply_to_message: { message_id: 20, date: 1, chat: group, from: user },
    },
  });
  assert.equal(plainReply.threadId, undefined);
  assert.equal(plainReply.replyTo, `${group.id}:20`);
});

test("channel posts come from the channel; the bot's own messages are marked; edits get their own id", () => {
  const channel = { id: -1009876543210, type: "channel", title: "News" };
  const post = draftOf({ update_id: 10, channel_post: { message_id: 3, date: 1, chat: channel, sender_chat: channel, text: "news" } });
  assert.equal(post.chatType, "channel");
  assert.deepEqual(post.sender, { id: String(channel.id), name: "News" });
  const own = draftOf({
    update_id: 11,
    message: { message_id: 9, date: 1, chat: group, from: { id: 42, is_bot: true, first_name: "T" }, text: "me" },
  });
  assert.equal(own.sender.isSelf, true);
  const edit = draftOf({
    update_id: 12,
    edited_message: { message_id: 9, date: 1, edit_date: 5, chat: group, from: user, text: "changed" },
  });
  assert.equal(edit.id, `${group.id}:9:edit:5`);
  assert.equal(edit.receivedAt, 5000);
});

test("files are announced by file_id, size, name and type; the largest photo size stands for the photo", () => {
  const draft = draftOf({
    update_id: 13,
    message: {
      message_id: 1,
      date: 1,
      chat: { id: 7, type: "private" },
      from: user,
      photo: [
        { file_id: "small", file_size: 100, width: 90, height: 90 },
        { file_id: "big", file_size: 9000, width: 800, height: 800 },
      ],
      document: { file_id: "doc", file_name: "report.pdf", mime_type: "application/pdf", file_size: 1234 },
    },
  });
  assert.equal(draft.text, "");
  assert.deepEqual(draft.attachments, [
    { kind: "image", id: "big", bytes: 9000 },
    { kind: "file", id: "doc", name: "report.pdf", mimeType: "application/pdf", bytes: 1234 },
  ]);
});

test("updates that are not messages are ignored; broken ones are malformed, never thrown", () => {
  assert.equal(normalizeUpdate({ update_id: 1, callback_query: { id: "x" } }, BOT).kind, "ignored");
  assert.equal(normalizeUpdate({ update_id: 1 }, BOT).kind, "ignored");
  for (const bad of [
    null,
    "text",
    { message: {} },
    { update_id: "1", message: {} },
    { update_id: 1, message: { message_id: 1, chat: { id: 1, type: "private" }, text: 5 } },
    { update_id: 1, message: { message_id: 1, chat: { id: 1, type: "secret" } } },
    { update_id: 1, message: { message_id: 1, chat: { id: "1", type: "private" } } },
    { update_id: 1, message: { message_id: 1, chat: { id: 1, type: "private" }, entities: [{ type: "mention" }] } },
  ]) {
    assert.equal(normalizeUpdate(bad, BOT).kind, "malformed", JSON.stringify(bad));
  }
  // An entity pointing outside the text is ignored rather than trusted.
  const draft = draftOf({
    update_id: 2,
    message: { message_id: 1, date: 1, chat: group, from: user, text: "hi", entities: [{ type: "mention", offset: 1, length: 50 }] },
  });
  assert.deepEqual(draft.mentions, []);
});
