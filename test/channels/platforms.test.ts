// Platform knowledge comes from driver declarations (aliases, chat-type words, limits) and, for
// channels with no driver loaded, from the SDK's table; the core names no platform.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CHANNEL_PLATFORMS, ChannelDirectory, KNOWN_CHANNELS, type InboundDraft, type OutboundChunk, type ReceiveResult } from "@talon/sdk";
import { startTestHost } from "../helpers/host.ts";

const DRIVER = fileURLToPath(new URL("./fixtures/alias-driver/index.ts", import.meta.url));
const shared = globalThis as { __talonAliasReceive?: (draft: InboundDraft) => Promise<ReceiveResult>; __talonAliasSent?: OutboundChunk[] };

test("the SDK's directory: aliases resolve, ids never hide behind an alias, chat-type words are per channel", () => {
  assert.equal(KNOWN_CHANNELS.normalizeId(" TG "), "telegram");
  assert.equal(KNOWN_CHANNELS.normalizeId("not-a-platform"), "not-a-platform", "an unknown id is kept as given");
  assert.equal(KNOWN_CHANNELS.has("not-a-platform"), false);
  assert.equal(KNOWN_CHANNELS.chatType("supergroup", "telegram"), "group");
  assert.equal(KNOWN_CHANNELS.chatType("supergroup", "discord"), undefined, "a word of one platform means nothing on another");
  assert.equal(KNOWN_CHANNELS.chatType("DM"), "direct");
  const directory = new ChannelDirectory(CHANNEL_PLATFORMS);
  directory.add({ id: "parley", aliases: ["telegram", "pl"] });
  assert.equal(directory.normalizeId("telegram"), "telegram", "an alias never shadows another channel's id");
  assert.equal(directory.normalizeId("PL"), "parley");
  directory.add({ id: "telegram", limits: { text: 1000 } });
  assert.deepEqual(directory.get("tg")?.limits, { text: 1000 }, "a driver's declaration wins over the table");
  assert.ok(directory.get("tg")?.aliases?.includes("grammy"), "and keeps the table's aliases");
});

test("a loaded driver's aliases, chat-type words and limits are the host's", async () => {
  const { host } = await startTestHost({ plugins: { builtin: ["decision-policy"], load: [DRIVER] } }, { gateway: false });
  const channels = host.channels.apiFor("test");
  assert.equal(channels.directory.normalizeId("parley-chat"), "parley");
  // Inbound: the platform's own chat-type word.
  const received = await shared.__talonAliasReceive!({
    id: "m1",
    chatType: "room",
    chatId: "r1",
    sender: { id: "u1" },
    text: "hello",
    wasMentioned: true,
  });
  assert.equal(received.status, "admitted");
  const outcome = received.status === "admitted" ? await received.outcome : undefined;
  assert.equal(outcome?.message.chatType, "group");
  assert.equal(outcome?.sessionKey, "agent:main:parley:group:r1");
  // Outbound through an alias, chunked to the declared limit.
  const receipt = await channels.send({ channel: "pl", chatId: "r1", text: "word ".repeat(20).trim(), idempotencyKey: "k1" });
  assert.equal(receipt.channel, "parley");
  assert.ok(shared.__talonAliasSent!.length >= 2 && shared.__talonAliasSent!.every((chunk) => chunk.text.length <= 50));
  // Actions name the channel by any alias; the defender sees the driver's id.
  const evaluation = await host.defender.evaluate({ id: "a1", channel: "Parley-Chat", prompt: "hi" });
  assert.equal(evaluation.status === "decided" ? evaluation.record.action.channel : undefined, "parley");
  // A channel with no driver loaded is chunked by the SDK's table (webchat: one paragraph per message).
  assert.deepEqual(channels.chunk("one\n\ntwo", { channel: "webchat" }), ["one", "two"]);
  assert.equal(channels.chunk("x".repeat(2500), { channel: "discord" }).length, 2, "discord: 2000 characters");
});
