/** Platform failures: a 429 retry-after is honoured, server errors are retried within bounds and then reported. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CONFORMANCE_RUNTIME, type Suite } from "./suite.ts";

export function registerFailures(s: Suite): void {
  const { unique, send, chat, status } = s;
  const f = () => s.fake();
  const remote = s.platform.sendAttempts && s.platform.rateLimitNext && s.platform.failNext;
  if (remote)
    test("honours a 429 retry-after before sending again", async () => {
      const retryAfterMs = 300;
      const before = f().sendAttempts!().length;
      const retriesBefore = (await status()).counters.retries;
      f().rateLimitNext!(1, retryAfterMs);
      const chatId = await chat("chat");
      await send(chatId, `paced ${unique("text")}`);
      const attempts = f().sendAttempts!().slice(before);
      assert.ok(attempts.length >= 2, "the refused send was retried");
      assert.ok(
        attempts[1]! - attempts[0]! >= retryAfterMs - 5,
        `retried after ${Math.round(attempts[1]! - attempts[0]!)} ms, before the ${retryAfterMs} ms retry-after`,
      );
      assert.equal(
        f()
          .sent()
          .filter((message) => message.chatId === chatId).length,
        1,
      );
      assert.ok((await status()).counters.retries > retriesBefore, "the retry shows in channels.status counters");
    });

  if (remote)
    test("retries server errors within bounds, then reports the failure in channels.status", async () => {
      f().failNext!(1);
      const chatId = await chat("chat");
      await send(chatId, `after one failure ${unique("text")}`);
      assert.equal(
        f()
          .sent()
          .filter((message) => message.chatId === chatId).length,
        1,
      );
      const before = f().sendAttempts!().length;
      f().failNext!(1_000);
      try {
        await assert.rejects(
          send(await chat("chat"), `doomed ${unique("text")}`),
          (error: { code?: string }) => error.code === "TALON_DRIVER_NETWORK",
        );
        const attempts = f().sendAttempts!().length - before;
        assert.ok(
          attempts >= 2 && attempts <= CONFORMANCE_RUNTIME.retry.retries + 1,
          `${attempts} attempts; the bound is ${CONFORMANCE_RUNTIME.retry.retries + 1}`,
        );
        const entry = await status();
        assert.ok(entry.lastError, "the failure shows in channels.status");
        assert.ok(entry.counters.failedSends >= 1, "counters.failedSends counts the failed send");
      } finally {
        f().failNext!(0);
      }
      const recovered = await chat("chat");
      await send(recovered, `recovered ${unique("text")}`);
      assert.equal(
        f()
          .sent()
          .filter((message) => message.chatId === recovered).length,
        1,
      );
    });
}
