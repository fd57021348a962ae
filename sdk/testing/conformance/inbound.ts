/** Inbound: normalisation and session keys, dedupe, mention gating, oversized input, echo suppression. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { channelSessionKey } from "../../channel.ts";
import { CONFORMANCE_RUNTIME, type Suite } from "./suite.ts";

export function registerInbound(s: Suite): void {
  const { unique, waitUntil, timeoutMs, group, dmType, send, chat, inject, status } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  test("normalises a direct message: ids, sender, text, session key, and a decision", async () => {
    const chatType = dmType;
    const chatId = unique("chat");
    const senderId = unique("user");
    const text = `hello ${unique("text")}`;
    const landed = await inject({ chatType, chatId, senderId, senderName: "Ada", text, mentionBot: true });
    const event = await h().waitForEvent((e) => e.message.text === text, timeoutMs);
    assert.equal(event.channel, h().driverId);
    assert.equal(event.accountId, h().accountId);
    assert.equal(event.message.id, landed.id);
    assert.equal(event.message.chatType, chatType);
    assert.equal(event.message.chatId, landed.chatId);
    assert.equal(event.message.sender.id, landed.senderId);
    assert.equal(
      event.sessionKey,
      channelSessionKey({ channel: h().driverId, accountId: h().accountId, chatType, chatId: landed.chatId, senderId: landed.senderId }),
    );
    assert.equal(event.status, "decided");
    assert.ok(event.decision && ["allow", "review", "block"].includes(event.decision.action), "the defender decided");
    const entry = await status();
    assert.ok(typeof entry.lastInboundAt === "number", "channels.status shows lastInboundAt");
  });

  test("drops a redelivered message (dedupe)", async () => {
    const text = `once ${unique("text")}`;
    const chatType = dmType;
    const { id } = await inject({ chatType, chatId: unique("chat"), senderId: unique("user"), text, mentionBot: true });
    await h().waitForEvent((e) => e.message.id === id, timeoutMs);
    const before = (await status()).counters.duplicates;
    await f().redeliver(id);
    await waitUntil(async () => (await status()).counters.duplicates > before, "the redelivery to be counted as a duplicate");
    assert.equal(
      h()
        .events()
        .filter((e) => e.message.id === id).length,
      1,
    );
  });

  if (group)
    test("gates group messages that do not mention the bot", async () => {
      const chatId = unique("group");
      const before = (await status()).counters.gated;
      const quiet = `chatter ${unique("text")}`;
      const addressed = `bot, please ${unique("text")}`;
      await inject({ chatType: group, chatId, senderId: unique("user"), text: quiet, mentionBot: false });
      await inject({ chatType: group, chatId, senderId: unique("user"), text: addressed, mentionBot: true });
      const event = await h().waitForEvent((e) => e.message.text.includes(addressed), timeoutMs);
      assert.equal(event.message.chatType, group);
      await waitUntil(async () => (await status()).counters.gated > before, "the unaddressed message to be gated");
      assert.equal(
        h()
          .events()
          .some((e) => e.message.text === quiet),
        false,
        "an unaddressed group message never reaches the defender",
      );
    });

  test("refuses an oversized message and keeps working", async () => {
    const chatType = dmType;
    const chatId = unique("chat");
    const before = (await status()).counters.rejected;
    await f().injectOversized({ chatType, chatId, senderId: unique("user"), mentionBot: true }, CONFORMANCE_RUNTIME.maxInboundChars + 1);
    await waitUntil(async () => (await status()).counters.rejected > before, "the oversized message to be refused");
    assert.match(String((await status()).lastError), /limit/);
    const text = `after the big one ${unique("text")}`;
    await inject({ chatType, chatId, senderId: unique("user"), text, mentionBot: true });
    await h().waitForEvent((e) => e.message.text === text, timeoutMs);
  });

  if (s.platform.echoLastSent)
    test("drops the bot's own messages coming back (echo suppression)", async () => {
      const chatId = await chat("chat");
      const result = await send(chatId, `my own words ${unique("text")}`);
      const before = (await status()).counters.echoes;
      await f().echoLastSent!();
      await waitUntil(async () => (await status()).counters.echoes > before, "the echo to be dropped");
      assert.equal(
        h()
          .events()
          .some((e) => e.message.id === result.messageId),
        false,
      );
    });
}
