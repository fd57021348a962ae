// The pure parts of sending: nonces from idempotency keys, reaction emoji segments, targets, poll bodies.
import assert from "node:assert/strict";
import { test } from "node:test";
import { emojiSegment, messageBody, nonceOf, parseTarget, pollBody } from "./outbound.ts";

test("a nonce is stable per idempotency key, distinct across keys, and fits Discord's 25 characters", () => {
  assert.equal(nonceOf("send-1:0"), nonceOf("send-1:0"));
  assert.notEqual(nonceOf("send-1:0"), nonceOf("send-1:1"));
  assert.equal(nonceOf("x".repeat(500)).length, 25);
  const body = messageBody({ chatId: "1", text: "hi", index: 0, total: 1, idempotencyKey: "k:0", replyTo: "9" });
  assert.deepEqual(body, {
    content: "hi",
    allowed_mentions: { parse: [], replied_user: false },
    nonce: nonceOf("k:0"),
    enforce_nonce: true,
    message_reference: { message_id: "9", fail_if_not_exists: false },
  });
});

test("reaction emoji: Unicode is URL-encoded, custom emoji in any spelling become name:id", () => {
  assert.equal(emojiSegment("👍"), encodeURIComponent("👍"));
  assert.equal(emojiSegment("<:talon:123456789012345678>"), "talon%3A123456789012345678");
  assert.equal(emojiSegment("<a:spin:123456789012345678>"), "spin%3A123456789012345678");
  assert.equal(emojiSegment("talon:123456789012345678"), "talon%3A123456789012345678");
  assert.equal(emojiSegment("../../users/@me"), "..%2F..%2Fusers%2F%40me", "nothing can climb out of the route");
});

test("targets: user:<id> is a DM, channel:<id> and a bare id are channels", () => {
  assert.deepEqual(parseTarget("user:42"), { kind: "user", id: "42" });
  assert.deepEqual(parseTarget("channel:43"), { kind: "channel", id: "43" });
  assert.deepEqual(parseTarget(" 44 "), { kind: "channel", id: "44" });
});

test("a poll: answers, hours between 1 and 768, multiselect from maxSelections", () => {
  const body = pollBody({ chatId: "1", question: "Lunch?", options: ["pizza", "soup"], durationSeconds: 90, maxSelections: 2 }, "p");
  assert.deepEqual(body.poll, {
    question: { text: "Lunch?" },
    answers: [{ poll_media: { text: "pizza" } }, { poll_media: { text: "soup" } }],
    duration: 1,
    allow_multiselect: true,
  });
  assert.equal(pollBody({ chatId: "1", question: "q", options: ["a", "b"], durationSeconds: 10 ** 9 }, "p").poll!.duration, 768);
  assert.equal(pollBody({ chatId: "1", question: "q", options: ["a", "b"] }, "p").poll!.duration, 24);
});
