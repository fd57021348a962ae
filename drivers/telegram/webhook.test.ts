// Webhook mode through a real host: setWebhook with the secret token, the header checked before
// anything else, bad bodies refused, updates answered only after admission, a failed delivery
// redelivered once Talon can take it, logout removing the webhook; and the config rules (tokens
// from the environment, webhook mode needs its URL, secrets never in status).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestHost, type TestHost } from "@talon/sdk/testing";
import { configSchema } from "./config.ts";
import { FAKE_TOKEN, createFakeTelegram, type FakeTelegram } from "./fake/index.ts";

const DRIVER = new URL("./index.ts", import.meta.url);
const FAST = { reconnect: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 100, jitter: 0 } };

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function webhookHost(fake: FakeTelegram, extra: Record<string, unknown> = {}): Promise<TestHost> {
  const host = await createTestHost({
    plugins: [DRIVER],
    pluginConfig: { telegram: { ...fake.driverConfig(), runtime: FAST, ...extra } },
    gateway: true,
  });
  fake.attach!({ httpUrl: host.httpUrl, accountId: "default" });
  return host;
}

const post = (host: TestHost, body: string, headers: Record<string, string> = {}) =>
  fetch(`${host.httpUrl}/telegram/hook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

test("webhook: the secret header is checked first; bad bodies are refused; valid updates are admitted", async (t) => {
  const fake = createFakeTelegram({ mode: "webhook" });
  await fake.start();
  t.after(() => fake.stop());
  const host = await webhookHost(fake);
  await until(() => fake.updates.webhook !== undefined, "setWebhook");
  assert.equal(fake.updates.webhook!.url, "https://talon.example.test/telegram/hook");
  assert.equal(fake.updates.webhook!.secret, "fake-webhook-secret_0123");
  const secret = { "x-telegram-bot-api-secret-token": "fake-webhook-secret_0123" };
  const update = (id: number, text: string) =>
    JSON.stringify({
      update_id: id,
      message: { message_id: id, date: 1, chat: { id: 99, type: "private" }, from: { id: 99, is_bot: false, first_name: "Eve" }, text },
    });
  assert.equal((await post(host, update(1, "no header"))).status, 403);
  assert.equal((await post(host, update(2, "wrong"), { "x-telegram-bot-api-secret-token": "fake-webhook-secret_0124" })).status, 403);
  assert.equal((await post(host, "{not json", secret)).status, 400);
  assert.equal((await post(host, JSON.stringify({ update_id: 3, message: { message_id: "x" } }), secret)).status, 400);
  assert.equal((await post(host, JSON.stringify({ update_id: 4, callback_query: { id: "q" } }), secret)).status, 200);
  const good = await post(host, update(5, "hello through the webhook"), secret);
  assert.equal(good.status, 200);
  await host.waitForEvent((e) => e.event === "channel.message" && e.payload.message.text === "hello through the webhook", 5_000);
  assert.equal(host.events().filter((e) => e.event === "channel.message").length, 1, "refused requests never reached the defender");
  // The fake delivers like Telegram: through the public URL, with the header.
  const landed = await fake.inject({ chatType: "group", chatId: "hooked", senderId: "zed", text: "via Telegram", mentionBot: true });
  await host.waitForEvent((e) => e.event === "channel.message" && e.payload.message.id === landed.id, 5_000);
  await until(() => fake.deliveries().some((delivery) => delivery.status === 200), "the delivery to be acknowledged");
  const status = JSON.stringify(await host.call("channels.status", {}));
  assert.equal(status.includes(FAKE_TOKEN) || status.includes("fake-webhook-secret_0123"), false, "no secret in channels.status");
});

test("webhook: a delivery Talon cannot take is redelivered by Telegram and admitted once", async (t) => {
  const fake = createFakeTelegram({ mode: "webhook" });
  await fake.start();
  t.after(() => fake.stop());
  const host = await webhookHost(fake);
  await until(() => fake.updates.webhook !== undefined, "setWebhook");
  // Talon's account stops (as during a restart): deliveries fail and Telegram keeps the update.
  await host.call("channels.stop", { channel: "telegram" });
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "pat", text: "are you there?" });
  await until(() => fake.deliveries().some((delivery) => delivery.status === 503), "a refused delivery");
  assert.ok(fake.state.updates.length > 0, "the update stays pending");
  await host.call("channels.start", { channel: "telegram" });
  await host.waitForEvent((e) => e.event === "channel.message" && e.payload.message.id === landed.id, 10_000);
  await until(() => fake.state.updates.length === 0, "the update to be delivered");
  assert.equal(host.events().filter((e) => e.event === "channel.message" && e.payload.message.id === landed.id).length, 1);
});

test("webhook: a random secret per start when none is configured; logout removes the webhook", async (t) => {
  const fake = createFakeTelegram({ mode: "webhook" });
  await fake.start();
  t.after(() => fake.stop());
  const host = await webhookHost(fake, { webhookSecret: undefined, webhookSecretEnv: "TALON_TEST_UNSET_SECRET_VAR" });
  await until(() => fake.updates.webhook !== undefined, "setWebhook");
  const secret = fake.updates.webhook!.secret!;
  assert.match(secret, /^[A-Za-z0-9_-]{32,}$/);
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "q", text: "random secret works" });
  await host.waitForEvent((e) => e.event === "channel.message" && e.payload.message.id === landed.id, 5_000);
  const result = await host.call("channels.logout", { channel: "telegram" });
  assert.equal(result.cleared, true);
  assert.equal(fake.updates.webhook, undefined, "Telegram no longer posts to this Talon");
});

test("config: tokens from the environment, webhook mode needs its URL, malformed tokens are refused", () => {
  const name = "TALON_TEST_TG_TOKEN";
  assert.equal(configSchema.safeParse({}).success, !!process.env.TELEGRAM_BOT_TOKEN, "no token anywhere: refused (the driver loads idle)");
  assert.equal(configSchema.safeParse({ botTokenEnv: name }).success, false);
  process.env[name] = FAKE_TOKEN;
  try {
    assert.equal(configSchema.safeParse({ botTokenEnv: name }).success, true);
  } finally {
    delete process.env[name];
  }
  assert.equal(configSchema.safeParse({ botToken: "not-a-token" }).success, false);
  const webhook = configSchema.safeParse({ botToken: FAKE_TOKEN, mode: "webhook" });
  assert.equal(webhook.success, false);
  assert.match(JSON.stringify(webhook.error?.issues), /webhookUrl/);
  assert.equal(
    configSchema.safeParse({ botToken: FAKE_TOKEN, mode: "webhook", webhookUrl: "http://insecure.example/hook" }).success,
    false,
  );
  assert.equal(configSchema.safeParse({ botToken: FAKE_TOKEN, webhookSecret: "has spaces" }).success, false);
});

test("config: an account whose token comes from the environment starts and polls", async (t) => {
  const fake = createFakeTelegram();
  await fake.start();
  t.after(() => fake.stop());
  process.env.TALON_TEST_TG_TOKEN_2 = FAKE_TOKEN;
  t.after(() => delete process.env.TALON_TEST_TG_TOKEN_2);
  const { botToken: _token, ...withoutToken } = fake.driverConfig();
  const host = await createTestHost({
    plugins: [DRIVER],
    pluginConfig: { telegram: { accounts: { work: { ...withoutToken, botTokenEnv: "TALON_TEST_TG_TOKEN_2" } } } },
  });
  const landed = await fake.inject({ chatType: "direct", chatId: "-", senderId: "w", text: "to the work account" });
  const event = await host.waitForEvent((e) => e.event === "channel.message" && e.payload.message.id === landed.id, 10_000);
  assert.equal(event.payload.accountId, "work");
  assert.equal(event.payload.sessionKey, `agent:main:telegram:dm:work:${landed.senderId}`);
});
