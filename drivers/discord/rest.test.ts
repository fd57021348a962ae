/**
 * REST v10 through the driver and Talon's core, against the fake Discord: Discord's JSON errors
 * mapped once onto Talon's driver errors (404 Unknown Channel, 403 Cannot edit, 400 Unknown Emoji,
 * 401), a used-up route bucket followed from its headers without a single 429, a long bucket wait
 * handed to the core as a rate limit, `user:<id>` targets opening a DM, and edits and reactions
 * on a message the bot sent into a thread reaching that thread.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { testHostProvider, type DriverHarness } from "@talon/sdk/testing";
import { createFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from "../../test/fakes/discord/index.ts";
import { DRIVER, FAST_RUNTIME, until } from "./test-support.ts";

async function harness(
  t: TestContext,
  fakeOptions: FakeDiscordOptions = {},
  config: Record<string, unknown> = {},
): Promise<{ h: DriverHarness; fake: FakeDiscord }> {
  const fake = createFakeDiscord({ heartbeatIntervalMs: 1_000, ...fakeOptions });
  await fake.start();
  const h = await testHostProvider().createDriverHarness({
    driverModule: DRIVER,
    config: { ...fake.driverConfig(), ...config },
    runtime: FAST_RUNTIME,
  });
  t.after(async () => {
    await h.stop();
    await fake.stop();
  });
  await until(async () => (await h.accountStatus())?.connected === true, "the account to connect");
  return { h, fake };
}

const target = { channel: "discord" };

test("Discord's errors become Talon's: 404 Unknown Channel, 403 on another's message, 400 Unknown Emoji; none retried", async (t) => {
  const { h, fake } = await harness(t);
  fake.deleteChannel("1200000000000000201");
  const attempts = fake.sendAttempts!().length;
  await assert.rejects(
    h.call("send", { channel: "discord", to: "1200000000000000201", message: "hello?", idempotencyKey: "e-1" }),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, "TALON_DRIVER_NOT_FOUND");
      assert.match(error.message!, /10003 Unknown Channel/);
      return true;
    },
  );
  assert.equal(fake.sendAttempts!().length - attempts, 1, "a 404 is not retried");

  const chat = await fake.openChat!("errors");
  const theirs = await fake.inject({
    chatType: "channel",
    chatId: chat,
    senderId: "1300000000000000201",
    text: "my words",
    mentionBot: true,
  });
  await h.waitForEvent((event) => event.message.id === theirs);
  await assert.rejects(
    h.channels.edit(target, { chatId: chat, messageId: theirs }, "your words now"),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, "TALON_DRIVER_PERMISSION");
      assert.match(error.message!, /50005 Cannot edit a message authored by another user/);
      return true;
    },
  );
  await assert.rejects(
    h.channels.react(target, { chatId: chat, messageId: theirs }, "not-an-emoji"),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, "TALON_DRIVER_VALIDATION");
      assert.match(error.message!, /10014 Unknown Emoji/);
      return true;
    },
  );
  await h.channels.react(target, { chatId: chat, messageId: theirs }, "<:talon:1400000000000000001>");
  assert.deepEqual(fake.reactions().at(-1), { messageId: theirs, emoji: "talon:1400000000000000001" }, "a custom emoji goes as name:id");
});

test("a used-up route bucket is followed from its headers: the sends wait, Discord never answers 429", async (t) => {
  const { h, fake } = await harness(t, { bucketLimit: 2, bucketWindowMs: 600 });
  const chat = await fake.openChat!("bucket");
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 5 }, (_, i) => h.call("send", { channel: "discord", to: chat, message: `burst ${i}`, idempotencyKey: `b-${i}` })),
  );
  assert.ok(performance.now() - started >= 1_100, "five sends at two per 600 ms take two resets");
  assert.deepEqual(
    fake
      .sent()
      .filter((message) => message.chatId === chat)
      .map((message) => message.text),
    ["burst 0", "burst 1", "burst 2", "burst 3", "burst 4"],
  );
  const details = (await h.accountStatus()).details.rest;
  assert.equal(details.refused429, 0, "no request hit a 429");
  assert.ok(details.heldBack >= 2, `held back ${details.heldBack} times`);
});

test("a bucket wait longer than rateLimitWaitMaxMs is handed to the core, which pauses the account and retries", async (t) => {
  const { h, fake } = await harness(t, { bucketLimit: 2, bucketWindowMs: 500 }, { rateLimitWaitMaxMs: 0 });
  const chat = await fake.openChat!("long-wait");
  const started = performance.now();
  await h.call("send", { channel: "discord", to: chat, message: "first", idempotencyKey: "w-1" });
  await h.call("send", { channel: "discord", to: chat, message: "second", idempotencyKey: "w-2" });
  await h.call("send", { channel: "discord", to: chat, message: "third", idempotencyKey: "w-3" });
  assert.ok(performance.now() - started >= 400, "the third send waited for the bucket to reset");
  const account = await h.accountStatus();
  assert.ok(account.counters.rateLimited >= 1, "the core saw the rate limit");
  assert.equal(account.details.rest.refused429, 0, "and Discord never had to refuse");
  assert.equal(fake.sent().filter((message) => message.chatId === chat).length, 3);
});

test("user:<id> opens the DM once; edits and reactions find a message the bot sent into a thread", async (t) => {
  const { h, fake } = await harness(t);
  await h.call("send", { channel: "discord", to: "user:1300000000000000301", message: "hello in private", idempotencyKey: "dm-1" });
  await h.call("send", { channel: "discord", to: "user:1300000000000000301", message: "and again", idempotencyKey: "dm-2" });
  const dms = fake.sent().filter((message) => message.text === "hello in private" || message.text === "and again");
  assert.equal(dms.length, 2);
  assert.equal(dms[0]!.chatId, dms[1]!.chatId, "one DM channel");
  assert.match(dms[0]!.chatId, /^\d{17,20}$/);

  const parent = await fake.openChat!("parent");
  const thread = "thread-1280000000000000301";
  const sent = await h.call("send", { channel: "discord", to: parent, threadId: thread, message: "in the thread", idempotencyKey: "th-1" });
  assert.equal(fake.sent().find((message) => message.messageId === sent.messageId)?.threadId, thread);
  // The caller names only the parent chat; the driver remembers where the message went.
  await h.channels.edit(target, { chatId: parent, messageId: sent.messageId }, "edited in the thread");
  await h.channels.react(target, { chatId: parent, messageId: sent.messageId }, "✅");
  await h.channels.typing(target, { chatId: parent, threadId: thread });
  assert.deepEqual(fake.edits().at(-1), { messageId: sent.messageId, text: "edited in the thread" });
  assert.deepEqual(fake.reactions().at(-1), { messageId: sent.messageId, emoji: "✅" });
  assert.equal(fake.typings().at(-1)?.threadId, thread);
  const edited = fake.created().find((message) => message.id === sent.messageId)!;
  assert.equal(edited.content, "edited in the thread");
  assert.equal(edited.mention_everyone, false);
});

test("a revoked token: the send fails as an auth error, once, and says what to fix", async (t) => {
  const { h, fake } = await harness(t);
  const chat = await fake.openChat!("revoked");
  fake.revokeToken();
  const attempts = fake.sendAttempts!().length;
  await assert.rejects(
    h.call("send", { channel: "discord", to: chat, message: "hello", idempotencyKey: "r-1" }),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, "TALON_DRIVER_AUTH");
      assert.match(error.message!, /refused the bot token/);
      return true;
    },
  );
  assert.ok(fake.sendAttempts!().length - attempts <= 1, "not retried");
});
