// The example third-party driver (examples/driver-matrix, built only on @talon/sdk) passes the same
// conformance suite as the bundled drivers, against a fake Matrix homeserver on loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testChannelDriver } from "@talon/sdk/testing";
import { MATRIX_BOT, createFakeMatrix, type FakeMatrix } from "./fake.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createFakeMatrix(),
  additionalTests({ harness, fake, unique }) {
    test("matrix: a message to the bot's own thread reply arrives with its thread, and own events are echoes", async () => {
      const matrix = fake() as FakeMatrix;
      const room = unique("!room");
      const root = await matrix.inject({ chatType: "group", chatId: room, senderId: "ann", text: "root message", mentionBot: true });
      await harness().waitForEvent((event) => event.message.id === root);
      const reply = await harness().call("send", {
        channel: "matrix",
        to: room,
        message: "thread answer",
        threadId: root,
        idempotencyKey: unique("k"),
      });
      assert.equal(matrix.sent().find((sent) => sent.messageId === reply.messageId)?.threadId, root);
      assert.equal(
        harness()
          .events()
          .some((event) => event.message.sender.id === MATRIX_BOT),
        false,
        "the bot's own events never reach the defender",
      );
    });
  },
});
