/** Capability `polls`: the poll RPC creates a poll on the platform. */
import assert from "node:assert/strict";
import type { CapabilityCheck } from "./index.ts";

export const polls: CapabilityCheck = (s, observed) => {
  const { unique, waitUntil, target } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      const question = `lunch? ${unique("text")}`;
      const result = await h().call("poll", {
        channel: h().driverId,
        accountId: h().accountId,
        to: ref.chatId,
        question,
        options: ["pizza", "soup"],
        idempotencyKey: unique("poll"),
      });
      assert.ok(result.pollId, "the poll RPC returns a pollId");
      await waitUntil(
        () =>
          observed("polls", f().polls).some(
            (poll) => poll.chatId === ref.chatId && poll.question === question && poll.options.length === 2,
          ),
        "the platform to create the poll",
      );
    },
    attempt: (ref) => h().channels.poll(target(), { chatId: ref.chatId, question: "q", options: ["a", "b"] }),
  };
};
