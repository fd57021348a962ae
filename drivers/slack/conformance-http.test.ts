// The Slack driver in Events API mode (signed POSTs to Talon's port) passes the SDK's
// conformance suite against the fake Slack's signing sender.
import { testChannelDriver } from "@talon/sdk/testing";
import { createFakeSlack } from "../../test/fakes/slack/index.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeSlack({ mode: "http", httpRetryDelaysMs: [0, 100, 200] }),
});
