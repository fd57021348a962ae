// The bundled webchat driver passes the shared conformance suite with visitors acting like browsers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testChannelDriver } from "@talon/sdk/testing";
import { createWebchatVisitors, type WebchatVisitors } from "./fake.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createWebchatVisitors(),
  additionalTests({ harness, fake }) {
    test("webchat: a reply to a chat id that is not a visitor is refused as not found", async () => {
      await assert.rejects(
        harness().call("send", { channel: "webchat", to: "not-a-visitor", message: "hi", idempotencyKey: "wc-nf" }),
        (error: { code?: string }) => error.code === "TALON_DRIVER_NOT_FOUND",
      );
    });
    test("webchat: forged and missing visitor tokens are refused", async () => {
      const visitors = fake() as WebchatVisitors;
      const real = await visitors.visitor("forgery-victim");
      const forged = `${real.visitorId}.${"A".repeat(43)}`;
      assert.equal((await visitors.api("/api/messages", { body: { id: "abcdefgh-1", text: "hi" }, token: forged })).status, 401);
      assert.equal((await visitors.api("/api/messages", { body: { id: "abcdefgh-2", text: "hi" } })).status, 401);
      assert.equal((await visitors.api("/api/events", { method: "GET", token: "garbage" })).status, 401);
    });
  },
});
