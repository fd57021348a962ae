/** Capability `typing`: the platform shows a typing indicator. */
import type { CapabilityCheck } from "./index.ts";

export const typing: CapabilityCheck = (s, observed) => {
  const { waitUntil, target } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      await h().channels.typing(target(), { chatId: ref.chatId });
      await waitUntil(() => observed("typing", f().typings).some((typing) => typing.chatId === ref.chatId), "the platform to show typing");
    },
    attempt: (ref) => h().channels.typing(target(), { chatId: ref.chatId }),
  };
};
