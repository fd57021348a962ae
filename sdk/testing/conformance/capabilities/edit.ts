/** Capability `edit`: a sent message is edited on the platform. */
import type { CapabilityCheck } from "./index.ts";

export const edit: CapabilityCheck = (s, observed) => {
  const { unique, waitUntil, target } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      const text = `edited ${unique("text")}`;
      await h().channels.edit(target(), ref, text);
      await waitUntil(
        () => observed("edit", f().edits).some((edit) => edit.messageId === ref.messageId && edit.text === text),
        "the platform to apply the edit",
      );
    },
    attempt: (ref) => h().channels.edit(target(), ref, "x"),
  };
};
