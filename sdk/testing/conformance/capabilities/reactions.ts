/** Capability `reactions`: a reaction is added on the platform. */
import type { CapabilityCheck } from "./index.ts";

export const reactions: CapabilityCheck = (s, observed) => {
  const { waitUntil, target } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      await h().channels.react(target(), ref, "👍");
      await waitUntil(
        () => observed("reactions", f().reactions).some((reaction) => reaction.messageId === ref.messageId && reaction.emoji === "👍"),
        "the platform to add the reaction",
      );
    },
    attempt: (ref) => h().channels.react(target(), ref, "👍"),
  };
};
