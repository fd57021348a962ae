import assert from "node:assert/strict";
import { test } from "node:test";
import { LruMap, type ChatType } from "@talon/sdk";
import { escapeSlackText, messageRefOf, normalizeEvent, unescapeSlackText, type Normalized } from "./normalize.ts";

const self = { userId: "UBOT", botId: "BBOT", teamId: "T1" };
const fresh = () => ({ allowBots: false, channelTypes: new LruMap<string, ChatType>(100) });
const draftOf = (result: Normalized) => {
  assert.equal(result.kind, "message", result.kind === "skip" ? result.reason : "");
  return (result as Extract<Normalized, { kind: "message" }>).draft;
};
const message = (extra: Record<string, unknown> = {}) => ({
  type: "message",
  channel: "C123",
  channel_type: "channel",
  user: "U42",
  text: "hello",
  ts: "1700000000.000100",
  ...extra,
});

test("chat types as upstream maps them: im direct, mpim group, public and private channels channel", () => {
  const options = fresh();
  assert.equal(draftOf(normalizeEvent(message({ channel: "D1", channel_type: "im" }), self, options)).chatType, "direct");
  assert.equal(draftOf(normalizeEvent(message({ channel: "G1", channel_type: "mpim" }), self, options)).chatType, "group");
  assert.equal(draftOf(normalizeEvent(message({ channel: "C1", channel_type: "channel" }), self, options)).chatType, "channel");
  assert.equal(draftOf(normalizeEvent(message({ channel: "C2", channel_type: "group" }), self, options)).chatType, "channel");
});

test("ids are <channel>:<ts>; threads, replies, mentions and the sender are read", () => {
  const draft = draftOf(
    normalizeEvent(
      message({
        text: "<@UBOT|talon> look at <@U77> &lt;b&gt; &amp; <!here>",
        thread_ts: "1699999999.000001",
        user_profile: { display_name: "Ada" },
        files: [{ name: "a.png", mimetype: "image/png", size: 10, url_private: "https://files.slack.com/a.png" }],
      }),
      self,
      fresh(),
    ),
  );
  assert.equal(draft.id, "C123:1700000000.000100");
  assert.equal(draft.text, "look at <@U77> <b> & <!here>", "the bot's own mention is taken out and the text unescaped");
  assert.deepEqual(draft.mentions, ["UBOT", "U77", "!here"]);
  assert.equal(draft.wasMentioned, true);
  assert.equal(draft.threadId, "1699999999.000001");
  assert.equal(draft.replyTo, "C123:1699999999.000001");
  assert.deepEqual(draft.sender, { id: "U42", name: "Ada" });
  assert.deepEqual(draft.attachments, [
    { kind: "image", url: "https://files.slack.com/a.png", name: "a.png", mimeType: "image/png", bytes: 10 },
  ]);
  assert.equal(draft.receivedAt, 1_700_000_000_000);
  const plain = draftOf(normalizeEvent(message({ text: "<@U77> hi", thread_ts: "1700000000.000100" }), self, fresh()));
  assert.equal(plain.wasMentioned, false, "another user's mention is not the bot's");
  assert.equal(plain.threadId, undefined, "a thread's own root is not inside it");
  const dm = draftOf(normalizeEvent(message({ channel: "D9", channel_type: "im" }), self, fresh()));
  assert.equal(dm.wasMentioned, undefined, "a direct message needs no mention");
});

test("the bot's own messages are marked isSelf (the core drops and counts them); other bots, edits and joins are not messages", () => {
  const own = draftOf(normalizeEvent(message({ user: "UBOT", bot_id: "BBOT" }), self, fresh()));
  assert.equal(own.sender.isSelf, true);
  const ownLegacy = draftOf(normalizeEvent(message({ subtype: "bot_message", bot_id: "BBOT", user: undefined }), self, fresh()));
  assert.equal(ownLegacy.sender.isSelf, true);
  for (const [event, reason] of [
    [message({ subtype: "bot_message", bot_id: "BOTHER", user: undefined }), /another bot/],
    [message({ user: "UOTHER", bot_id: "BOTHER" }), /another bot/],
    [message({ subtype: "message_changed", message: { text: "x" } }), /message_changed/],
    [message({ subtype: "message_deleted", deleted_ts: "1" }), /message_deleted/],
    [message({ subtype: "channel_join" }), /channel_join/],
    [{ type: "reaction_added", user: "U1" }, /reaction_added is not a message/],
    [message({ channel: undefined }), /without channel/],
    [message({ user: undefined }), /without a sender/],
    ["not an object", /not an object/],
  ] as const) {
    const result = normalizeEvent(event, self, fresh());
    assert.equal(result.kind, "skip", JSON.stringify(event));
    assert.match((result as { reason: string }).reason, reason);
  }
  const allowed = normalizeEvent(message({ subtype: "bot_message", bot_id: "BOTHER", user: undefined }), self, {
    ...fresh(),
    allowBots: true,
  });
  assert.equal(draftOf(allowed).sender.isBot, true);
});

test("app_mention: the same id as its message event, typed from the channel's messages, skipped once they arrive", () => {
  const options = fresh();
  const mention = { type: "app_mention", channel: "G55", user: "U1", text: "<@UBOT> hi", ts: "1.000002" };
  const first = draftOf(normalizeEvent(mention, self, options));
  assert.equal(first.id, "G55:1.000002");
  assert.equal(first.chatType, "group", "G = group DM when nothing else is known");
  assert.equal(first.wasMentioned, true);
  draftOf(normalizeEvent(message({ channel: "G55", channel_type: "group", ts: "1.000003" }), self, options));
  const later = normalizeEvent({ ...mention, ts: "1.000004" }, self, options);
  assert.equal(later.kind, "skip", "the message event of the same post carries it");
});

test("text escaping both ways, and message references with or without the channel", () => {
  assert.equal(escapeSlackText("<!channel> & <@U1>"), "&lt;!channel&gt; &amp; &lt;@U1&gt;");
  assert.equal(unescapeSlackText(escapeSlackText("a <b> & &amp;")), "a <b> & &amp;");
  assert.deepEqual(messageRefOf("C1:1700.0001", "D9"), { channel: "C1", ts: "1700.0001" });
  assert.deepEqual(messageRefOf("1700.0001", "D9"), { channel: "D9", ts: "1700.0001" });
});
