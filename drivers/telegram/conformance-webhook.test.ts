// The Telegram driver in webhook mode passes the SDK's conformance suite: the fake posts updates
// with the secret header to Talon's port, through the public URL given to setWebhook.
import { testChannelDriver } from "@talon/sdk/testing";
import { createFakeTelegram } from "./fake/index.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeTelegram({ mode: "webhook" }),
});
