// The Slack driver in Socket Mode passes the SDK's conformance suite against the fake Slack
// (test/fakes/slack): envelopes over a loopback WebSocket, replies through the Web API.
import { testChannelDriver } from "@talon/sdk/testing";
import { createFakeSlack } from "../../test/fakes/slack/index.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeSlack({ mode: "socket", ackDeadlineMs: 1_000 }),
});
