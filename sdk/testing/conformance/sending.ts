/** Sending: one message within the limit, exactly the limit, long text chunked in order without loss. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { contentOf, textOfLength, type Suite } from "./suite.ts";

export function registerSending(s: Suite): void {
  const { unique, send, chat, status } = s;
  const f = () => s.fake();
  test("sends within the limit: one message, and the receipt carries the platform's id", async () => {
    const chatId = await chat("chat");
    const text = `reply ${unique("text")}`;
    const result = await send(chatId, text);
    const sent = f()
      .sent()
      .filter((message) => message.chatId === chatId);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.text, text);
    assert.equal(result.messageId, sent[0]!.messageId);
    assert.deepEqual(result.messageIds, [sent[0]!.messageId]);
    assert.equal(result.chunkCount, 1);
    assert.ok(typeof (await status()).lastOutboundAt === "number", "channels.status shows lastOutboundAt");
  });

  test("exactly the text limit is one message; one character more is two", async () => {
    const exact = await chat("chat");
    await send(exact, textOfLength(s.limits.text, "edge"));
    const over = await chat("chat");
    await send(over, textOfLength(s.limits.text + 1, "edge"));
    assert.equal(
      f()
        .sent()
        .filter((message) => message.chatId === exact).length,
      1,
    );
    const split = f()
      .sent()
      .filter((message) => message.chatId === over);
    assert.equal(split.length, 2);
    for (const message of split) assert.ok(message.text.length <= s.limits.text, `chunk of ${message.text.length} > ${s.limits.text}`);
  });

  test("chunks long text: in order, within the limits, nothing lost", async () => {
    const chatId = await chat("chat");
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i}. ${textOfLength(Math.ceil(s.limits.text / 2.5), `p${i}`)}`);
    const text = paragraphs.join("\n\n");
    const result = await send(chatId, text);
    const sent = f()
      .sent()
      .filter((message) => message.chatId === chatId);
    assert.ok(sent.length >= 3, `expected several chunks, got ${sent.length}`);
    assert.equal(result.chunkCount, sent.length);
    assert.deepEqual(
      result.messageIds,
      sent.map((message) => message.messageId),
    );
    for (const message of sent) {
      assert.ok(message.text.length <= s.limits.text, `chunk of ${message.text.length} > ${s.limits.text}`);
      if (s.limits.lines > 0) assert.ok(message.text.split("\n").length <= s.limits.lines, `chunk of more than ${s.limits.lines} lines`);
    }
    assert.equal(contentOf(sent.map((message) => message.text).join("")), contentOf(text));
  });
}
