// The Telegram driver (long polling) passes the SDK's conformance suite against the fake Bot API.
import { testChannelDriver } from "@talon/sdk/testing";
import { createFakeTelegram } from "./fake/index.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeTelegram({ mode: "polling" }),
});
