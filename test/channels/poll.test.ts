// The poll RPC: the seed's validation messages, the driver's option limit, idempotency.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { PollDraft } from "@talon/sdk";
import { GatewayError, TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

const DIRECT = fileURLToPath(new URL("./fixtures/direct-driver/index.ts", import.meta.url));

test("poll: seed validation, per-driver option limit, idempotent repeats", async (t) => {
  const { url, token } = await startTestHost({ plugins: { builtin: ["decision-policy", "webchat"], load: [DIRECT] } });
  const client = await TestClient.connect(url, { token, scopes: ["operator.write"] });
  t.after(() => client.close());
  const polls = () => (globalThis as { __talonDirectPolls?: PollDraft[] }).__talonDirectPolls!;
  const base = { channel: "direct-driver", to: "room-1", question: "Lunch?", options: ["pizza", "soup"] };
  const refused = async (params: Record<string, unknown>, message: string) => {
    await assert.rejects(client.call("poll", params), (error: GatewayError) => {
      assert.equal(error.frame.error?.message, message);
      return true;
    });
  };
  await refused({ ...base }, "invalid poll params: idempotencyKey is required");
  await refused({ ...base, idempotencyKey: "p", to: " " }, "invalid poll params: to is required");
  await refused({ ...base, idempotencyKey: "p", question: "" }, "invalid poll params: question is required");
  await refused(
    { ...base, idempotencyKey: "p", options: ["only one", " "] },
    "invalid poll params: options must contain between 2 and 10 entries",
  );
  await refused(
    { ...base, idempotencyKey: "p", options: Array.from({ length: 11 }, (_, i) => `o${i}`) },
    "invalid poll params: options must contain between 2 and 10 entries",
  );
  await refused({ ...base, idempotencyKey: "p", maxSelections: 0 }, "invalid poll params: maxSelections must be between 1 and 10");
  await refused({ ...base, idempotencyKey: "p", maxSelections: 3 }, "invalid poll params: maxSelections cannot exceed options length");
  await refused({ ...base, idempotencyKey: "p", durationHours: 0 }, "invalid poll params: durationHours must be >= 1");
  await refused(
    { ...base, idempotencyKey: "p", durationSeconds: 604_801 },
    "invalid poll params: durationSeconds must be between 1 and 604800",
  );
  await refused({ ...base, idempotencyKey: "p", channel: "webchat" }, "unsupported poll channel: webchat");
  await refused({ ...base, idempotencyKey: "p", channel: "smoke-signals" }, "unsupported poll channel: smoke-signals");
  assert.equal(polls().length, 0, "nothing reached the driver");
  const first = await client.call("poll", { ...base, idempotencyKey: "p1", durationHours: 2, maxSelections: 2 });
  assert.deepEqual(first, { runId: "p1", messageId: first.messageId, channel: "direct-driver", pollId: "poll-1", accountId: "default" });
  assert.deepEqual(polls()[0], {
    chatId: "room-1",
    question: "Lunch?",
    options: ["pizza", "soup"],
    maxSelections: 2,
    durationSeconds: 7200,
  });
  assert.deepEqual(
    await client.call("poll", { ...base, idempotencyKey: "p1", durationHours: 2, maxSelections: 2 }),
    first,
    "a repeat returns the first result",
  );
  assert.equal(polls().length, 1, "and creates no second poll");
  await refused(
    { ...base, idempotencyKey: "p1", question: "Dinner?" },
    "invalid poll params: idempotencyKey was already used for a different message; use a new key",
  );
});
