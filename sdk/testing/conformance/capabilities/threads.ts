/** Capability `threads`: a send into a thread lands there, and a message in a thread arrives with it and its session key. */
import assert from "node:assert/strict";
import { channelSessionKey } from "../../../channel.ts";
import type { CapabilityCheck } from "./index.ts";

export const threads: CapabilityCheck = (s, observed) => {
  const { unique, send, waitUntil, inject, group, timeoutMs } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      const threadId = f().openThread ? await f().openThread!(ref.chatId, unique("thread")) : unique("thread");
      const text = `in a thread ${unique("text")}`;
      await send(ref.chatId, text, { threadId });
      await waitUntil(
        () =>
          f()
            .sent()
            .some((message) => message.text === text),
        "the threaded message to arrive",
      );
      assert.equal(
        f()
          .sent()
          .find((message) => message.text === text)?.threadId,
        threadId,
      );
      if (!group) return;
      const inbound = `threaded ${unique("text")}`;
      const chatId = unique("group");
      const senderId = unique("user");
      const landed = await inject({ chatType: group, chatId, senderId, text: inbound, mentionBot: true, threadId });
      const event = await h().waitForEvent((e) => e.message.text.includes(inbound), timeoutMs);
      assert.equal(event.message.threadId, threadId);
      assert.equal(
        event.sessionKey,
        channelSessionKey({
          channel: h().driverId,
          accountId: h().accountId,
          chatType: group,
          chatId: landed.chatId,
          senderId: landed.senderId,
          threadId,
        }),
      );
    },
    attempt: (ref) => send(ref.chatId, "x", { threadId: "t-1" }),
  };
};
