// Polling under failure, through real hosts and the fake Bot API: dropped long polls and restarts
// lose nothing and repeat nothing; a second consumer (409), a revoked token (401), a platform
// that stays down, malformed and unknown updates, a 502 page: a clear status, bounded retries,
// no crash.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createTestHost, type TestHost } from "@talon/sdk/testing";
import { FAKE_TOKEN, createFakeTelegram, type FakeTelegram } from "./fake/index.ts";

const DRIVER = new URL("./index.ts", import.meta.url);
const FAST = {
  retry: { retries: 3, minDelayMs: 20, maxDelayMs: 100, maxTotalMs: 10_000 },
  reconnect: { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
};

async function start(fake: FakeTelegram, config: Record<string, unknown> = {}, hostConfig: Record<string, unknown> = {}, cwd?: string) {
  return createTestHost({
    plugins: [DRIVER],
    pluginConfig: { telegram: { ...fake.driverConfig(), runtime: FAST, ...config } },
    config: hostConfig,
    ...(cwd ? { cwd } : {}),
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const account = async (host: TestHost) => (await host.call("channels.status", {})).channelAccounts.telegram[0];
const messageIds = (host: TestHost) =>
  host
    .events()
    .filter((e) => e.event === "channel.message")
    .map((e) => e.payload.message.id as string);

test("dropped long polls resume from the same offset: every message once, none lost", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(async () => (await account(host)).lifecycle === "ready", "ready");
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    ids.push((await fake.inject({ chatType: "direct", chatId: "-", senderId: `u${i % 3}`, text: `message ${i}` })).id);
    if (i % 5 === 2) await fake.dropConnections!();
    if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await until(() => ids.every((id) => messageIds(host).includes(id)), "every message to arrive");
  await until(() => fake.state.updates.length === 0, "Telegram to have every update confirmed");
  const seen = messageIds(host);
  for (const id of ids) assert.equal(seen.filter((other) => other === id).length, 1, `${id} exactly once`);
  assert.ok((await account(host)).reconnectAttempts >= 1, "the drops went through the core's reconnects");
});

test("a restart resumes from the stored offset: what was admitted is not delivered again", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  const dir = await mkdtemp(join(tmpdir(), "talon-tg-restart-"));
  t.after(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const durable = { data_dir: dir, state: { url: "sqlite" } };
  const first = await start(fake, {}, durable, dir);
  const early: string[] = [];
  for (let i = 0; i < 3; i++) early.push((await fake.inject({ chatType: "direct", chatId: "-", senderId: "kim", text: `before ${i}` })).id);
  await until(() => early.every((id) => messageIds(first).includes(id)), "the first messages");
  await first.stop();
  // As if Talon had crashed before its next poll confirmed them: Telegram would offer every
  // update again; only the offset Talon stored keeps them from coming back.
  fake.state.unconfirmAll();
  // While Talon is down the user writes on; Telegram keeps the updates.
  const late: string[] = [];
  for (let i = 0; i < 2; i++)
    late.push((await fake.inject({ chatType: "direct", chatId: "-", senderId: "kim", text: `while down ${i}` })).id);
  const second = await start(fake, {}, durable, dir);
  await until(() => late.every((id) => messageIds(second).includes(id)), "the messages sent while Talon was down");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(messageIds(second).sort(), [...late].sort(), "nothing admitted before the restart came back");
  assert.equal((await account(second)).counters.duplicates, 0, "the stored offset kept them from being fetched at all");
});

test("another consumer polling the token (409) is reported and recovered from with backoff", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(() => fake.updates.pendingPoll, "the driver's long poll");
  const before = (await account(host)).reconnectAttempts;
  assert.equal(await fake.rivalPoll(), 200, "the rival's poll is served");
  await until(async () => /Another consumer uses this bot token/.test((await account(host)).lastError ?? ""), "the conflict in status");
  assert.ok(fake.updates.conflicts >= 1);
  await until(async () => {
    const entry = await account(host);
    return entry.reconnectAttempts > before && entry.lifecycle === "ready";
  }, "the account to recover");
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "after", text: "still there?" });
  await until(() => messageIds(host).includes(landed.id), "a message after the conflict");
});

test("a revoked token (401) blocks the account with a clear error; Talon keeps serving", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(async () => (await account(host)).lifecycle === "ready", "ready");
  fake.revokeToken();
  await fake.dropConnections!();
  await until(async () => (await account(host)).lifecycle === "blocked", "the account to be blocked");
  const entry = await account(host);
  assert.match(entry.lastError, /refused the bot token/);
  assert.equal(entry.running, false);
  const status = await host.call("channels.status", {});
  assert.ok(status.statusIssues.some((issue: { channel: string }) => issue.channel === "telegram"));
  assert.equal(JSON.stringify(status).includes(FAKE_TOKEN), false, "the token never shows in channels.status");
  const calls = fake.state.calls.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fake.state.calls.length, calls, "a refused token is not retried");
});

test("a platform that stays down: bounded restarts, then blocked; channels.start once it is back", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(async () => (await account(host)).lifecycle === "ready", "ready");
  fake.setDown(true);
  await until(async () => (await account(host)).lifecycle === "blocked", "the account to give up", 15_000);
  const entry = await account(host);
  assert.ok(entry.reconnectAttempts >= FAST.reconnect.maxAttempts, `${entry.reconnectAttempts} restarts`);
  assert.match(entry.lastError, /gave up after/);
  fake.setDown(false);
  await host.call("channels.start", { channel: "telegram" });
  await until(async () => (await account(host)).lifecycle === "ready", "ready again");
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "back", text: "back online" });
  await until(() => messageIds(host).includes(landed.id), "a message after the outage");
});

test("malformed and unknown updates are skipped and confirmed; a 502 page on send is retried", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  fake.pushUpdate({ message: { message_id: "seven", chat: { id: 1, type: "private" } } });
  fake.pushUpdate({ callback_query: { id: "cb1", data: "x" } });
  fake.pushUpdate({ message: { message_id: 1, chat: { id: 1, type: "private" }, text: { nested: true } } });
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "ok", text: "a normal message" });
  await until(() => messageIds(host).includes(landed.id), "the valid message");
  await until(() => fake.state.updates.length === 0, "the bad updates to be confirmed too");
  assert.equal(messageIds(host).length, 1);
  const chat = await fake.openChat("retry");
  fake.badGatewayNext(1);
  const receipt = await host.call("send", { channel: "telegram", to: chat, message: "through a flaky proxy", idempotencyKey: "bg-1" });
  assert.equal(fake.sent().filter((message) => message.chatId === chat).length, 1);
  assert.equal(receipt.messageIds.length, 1);
  assert.ok((await account(host)).counters.retries >= 1);
  await assert.rejects(
    host.call("send", { channel: "telegram", to: "123456", message: "nobody", idempotencyKey: "nf-1" }),
    (error: { code?: string; message: string }) => error.code === "TALON_DRIVER_VALIDATION" && /chat not found/.test(error.message),
  );
  await assert.rejects(
    host.call("send", { channel: "telegram", to: "not-a-chat", message: "x", idempotencyKey: "nf-2" }),
    (error: { message: string }) => /not a Telegram chat id/.test(error.message),
  );
});

test("a getUpdates 429 waits retry_after inside the loop and loses nothing", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(() => fake.updates.pendingPoll, "the driver's long poll");
  fake.rateLimitMethod("getUpdates", 1, 1);
  await fake.dropConnections!();
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "slow", text: "after the flood wait" });
  await until(() => messageIds(host).includes(landed.id), "the message after the wait");
});

test("channels.logout disconnects the poller; channels.start brings it back", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  const host = await start(fake);
  await until(() => fake.updates.pendingPoll, "the driver's long poll");
  await host.call("channels.logout", { channel: "telegram" });
  await until(() => !fake.updates.pendingPoll, "the poll to end");
  const entry = await account(host);
  assert.equal(entry.running, false);
  assert.equal(entry.lifecycle, "stopped");
  const calls = fake.state.calls.filter((call) => call === "getupdates").length;
  await new Promise((resolve) => setTimeout(resolve, 1_300));
  assert.equal(fake.state.calls.filter((call) => call === "getupdates").length, calls, "no polling after logout");
  await host.call("channels.start", { channel: "telegram" });
  await until(() => fake.updates.pendingPoll, "polling again");
});
