/**
 * The Discord driver when things go wrong before or between connections: a token refused at start
 * (REST 401 on GET /gateway/bot), a Discord that stays down (bounded restarts, then blocked, and a
 * clean start once it is back), no identifies left for today, no token anywhere (the bundled
 * driver stays idle) and the token from DISCORD_BOT_TOKEN, and a session resumed across a restart
 * of Talon itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAKE_DISCORD_TOKEN, createFakeDiscord } from "../../test/fakes/discord/index.ts";
import { discordHost, ready, until } from "./test-support.ts";

test("a token refused at start blocks the account with what to fix; the gateway is never tried", async (t) => {
  const fake = createFakeDiscord();
  await fake.start();
  t.after(() => fake.stop());
  fake.revokeToken();
  const discord = await discordHost(t, { using: fake });
  await until(async () => (await discord.account()).lifecycle === "blocked", "the account to be blocked");
  const account = await discord.account();
  assert.match(account.lastError, /Discord refused the bot token \(401: 401: Unauthorized\); check token or DISCORD_BOT_TOKEN/);
  assert.equal(account.reconnectAttempts, 0, "a refused token is not retried");
  assert.equal(fake.connections().length, 0);
});

test("a Discord that stays down: bounded restarts, then blocked; channels.start connects once it is back", async (t) => {
  const fake = createFakeDiscord();
  await fake.start();
  t.after(() => fake.stop());
  fake.setDown(true);
  const discord = await discordHost(t, {
    using: fake,
    runtime: { reconnect: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 40, jitter: 0 } },
  });
  await until(async () => (await discord.account()).lifecycle === "blocked", "the account to give up");
  const account = await discord.account();
  assert.equal(account.reconnectAttempts, 3);
  assert.match(account.lastError, /gave up after 3 restart attempts/);
  assert.match(account.lastError, /502/);
  fake.setDown(false);
  await discord.host.call("channels.start", { channel: "discord" });
  await ready(discord);
  const id = await fake.inject({ chatType: "direct", chatId: "1220000000000000401", senderId: "1300000000000000401", text: "back again" });
  await discord.message((payload) => payload.message.id === id);
});

test("a dropped connection while Discord is down keeps trying within bounds and resumes when it returns", async (t) => {
  const discord = await discordHost(t, { runtime: { reconnect: { maxAttempts: 50, initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } } });
  await ready(discord);
  discord.fake.setDown(true);
  await until(async () => (await discord.account()).reconnectAttempts >= 3, "a few failed restarts");
  const missed = await discord.fake.inject({
    chatType: "direct",
    chatId: "1220000000000000402",
    senderId: "1300000000000000402",
    text: "sent during the outage",
  });
  discord.fake.setDown(false);
  await discord.message((payload) => payload.message.id === missed);
  assert.ok(discord.fake.connections().at(-1)!.resume, "the session was resumed, so nothing sent meanwhile was lost");
});

test("no identifies left today: the start fails saying so", async (t) => {
  const fake = createFakeDiscord();
  await fake.start();
  t.after(() => fake.stop());
  fake.setIdentifyBudget(0);
  const discord = await discordHost(t, {
    using: fake,
    runtime: { reconnect: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 } },
  });
  await until(async () => (await discord.account()).lifecycle === "blocked", "the account to give up");
  assert.match((await discord.account()).lastError, /no more identifies today \(session_start_limit\.remaining 0/);
  assert.equal(fake.connections().length, 0);
});

test("the token comes from DISCORD_BOT_TOKEN when the config has none; with neither, the bundled driver stays idle", async (t) => {
  const fake = createFakeDiscord();
  await fake.start();
  t.after(() => fake.stop());
  const saved = process.env.DISCORD_BOT_TOKEN;
  t.after(() => {
    if (saved === undefined) delete process.env.DISCORD_BOT_TOKEN;
    else process.env.DISCORD_BOT_TOKEN = saved;
  });
  delete process.env.DISCORD_BOT_TOKEN;
  const { createTestHost } = await import("@talon/sdk/testing");
  const idle = await createTestHost({ plugins: [new URL("./index.ts", import.meta.url)], autoStop: false });
  t.after(() => idle.stop());
  const status = await idle.call("channels.status", {});
  assert.deepEqual(status.channelAccounts.discord ?? [], [], "no token: no account, nothing started");

  process.env.DISCORD_BOT_TOKEN = FAKE_DISCORD_TOKEN;
  const discord = await discordHost(t, { using: fake, config: { token: undefined } });
  await ready(discord);
  assert.equal(fake.connections()[0]!.identify?.tokenOk, true);
  assert.equal(JSON.stringify(await discord.host.call("channels.status", {})).includes(FAKE_DISCORD_TOKEN), false);
});

test("a restart of Talon resumes the saved session: what was sent while Talon was down is replayed", async (t) => {
  const fake = createFakeDiscord();
  await fake.start();
  t.after(() => fake.stop());
  const dir = await mkdtemp(join(tmpdir(), "talon-discord-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const hostConfig = { state: { url: `sqlite://${join(dir, "state.sqlite")}` } };
  const first = await discordHost(t, { using: fake, hostConfig });
  await ready(first);
  const seen = await fake.inject({
    chatType: "direct",
    chatId: "1220000000000000501",
    senderId: "1300000000000000501",
    text: "before the restart",
  });
  await first.message((payload) => payload.message.id === seen);
  await first.host.stop();
  await until(() => fake.openConnections!() === 0, "the first host to disconnect");
  const missed = await fake.inject({
    chatType: "direct",
    chatId: "1220000000000000501",
    senderId: "1300000000000000501",
    text: "while Talon restarted",
  });
  const second = await discordHost(t, { using: fake, hostConfig });
  const replayed = await second.message((payload) => payload.message.id === missed);
  assert.equal(replayed.message.text, "while Talon restarted");
  assert.equal(
    second.messages().some((payload) => payload.message.id === seen),
    false,
    "what the first host had is not replayed",
  );
  const last = fake.connections().at(-1)!;
  assert.equal(last.path, "resume");
  assert.equal(fake.connections().filter((connection) => connection.identify).length, 1);
});

test("a resume Discord refuses (op 9, the session is gone) waits, then identifies anew", async (t) => {
  const discord = await discordHost(t);
  await ready(discord);
  await discord.host.call("channels.stop", { channel: "discord" });
  await until(() => discord.fake.openConnections() === 0, "the connection to close");
  discord.fake.endSessions();
  const started = performance.now();
  await discord.host.call("channels.start", { channel: "discord" });
  await ready(discord, "the account to identify again");
  const [refused, fresh] = discord.fake.connections().slice(-2);
  assert.equal(refused!.path, "resume", "it tried to resume first");
  assert.equal(fresh!.path, "gateway");
  assert.ok(fresh!.identify?.tokenOk);
  assert.ok(fresh!.openedAt - started >= 95, "after Discord's wait (invalidSessionWaitMs 100 here)");
  const account = await discord.account();
  assert.equal(account.details.gateway.failedResumes, 1);
  const id = await discord.fake.inject({
    chatType: "direct",
    chatId: "1220000000000000601",
    senderId: "1300000000000000601",
    text: "new session works",
  });
  await discord.message((payload) => payload.message.id === id);
});
