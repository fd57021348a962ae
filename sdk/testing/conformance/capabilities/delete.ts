/** Capability `delete`: a sent message is deleted on the platform. */
import type { CapabilityCheck } from "./index.ts";

const deleteCheck: CapabilityCheck = (s, observed) => {
  const { waitUntil, target } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  return {
    async prove(ref) {
      await h().channels.delete(target(), ref);
      await waitUntil(() => observed("delete", f().deletions).includes(ref.messageId), "the platform to delete the message");
    },
    attempt: (ref) => h().channels.delete(target(), ref),
  };
};
export { deleteCheck as delete };
