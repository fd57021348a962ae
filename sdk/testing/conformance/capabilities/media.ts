/** Capability `media`: an attachment reaches the platform. */
import type { CapabilityCheck } from "./index.ts";

export const media: CapabilityCheck = (s, observed) => {
  const { unique, send, waitUntil } = s;
  const f = () => s.fake();
  return {
    async prove(ref) {
      const url = `https://example.com/${unique("image")}.png`;
      await send(ref.chatId, `a picture ${unique("text")}`, { mediaUrl: url });
      await waitUntil(
        () =>
          f()
            .sent()
            .some((message) => message.chatId === ref.chatId && message.attachments?.some((attachment) => attachment.url === url) === true),
        "the platform to receive the attachment",
      );
    },
    attempt: (ref) => send(ref.chatId, "x", { mediaUrl: "https://example.com/x.png" }),
  };
};
