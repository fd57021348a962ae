// The Discord driver passes the SDK's conformance suite against the fake Discord (REST v10 and the
// Gateway on loopback): start, inbound, sending, 429 and 5xx, every declared capability, reconnect, stop.
import { testChannelDriver } from "@talon/sdk/testing";
import { createFakeDiscord } from "../../test/fakes/discord/index.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeDiscord({ heartbeatIntervalMs: 1_000 }),
});
