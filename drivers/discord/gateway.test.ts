/**
 * The Discord Gateway protocol as the driver speaks it, against the fake Discord: IDENTIFY with
 * the intents a chat bot needs, heartbeats with jitter at the interval and op 1 answered at once,
 * a missing ACK closing the zombie and resuming, op 7 and op 9 as Discord documents, close codes
 * that resume, identify anew or stop (4004 token, 4014 intents), heartbeats that a slow defender
 * cannot delay, and a full inbound queue that resumes without losing a message.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { INTENT } from "../../test/fakes/discord/index.ts";
import { discordHost, ready, until } from "./test-support.ts";

const HOLD_DETECTOR = fileURLToPath(new URL("../../test/channels/fixtures/hold-detector/index.ts", import.meta.url));
const HOLD_INBOUND = fileURLToPath(new URL("./fixtures/hold-inbound/index.ts", import.meta.url));
const CHAT_BOT_INTENTS = INTENT.GUILDS | INTENT.GUILD_MESSAGES | INTENT.DIRECT_MESSAGES;
const shared = globalThis as { __talonHold?: Promise<void>; __talonHoldInbound?: Promise<void> };

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]!);
}

test("identifies with the chat bot's intents, beats with jitter at the interval, and answers op 1 at once", async (t) => {
  const discord = await discordHost(t, { fake: { heartbeatIntervalMs: 250 } });
  await ready(discord);
  const connection = discord.fake.connections()[0]!;
  assert.equal(connection.path, "gateway", "the URL came from GET /gateway/bot");
  assert.equal(connection.identify?.intents, CHAT_BOT_INTENTS | INTENT.MESSAGE_CONTENT);
  assert.deepEqual(connection.identify?.properties, { os: process.platform, browser: "talon", device: "talon" });
  await until(() => connection.heartbeats.length >= 4, "four heartbeats");
  // Lower bounds are exact; upper bounds leave room for a busy machine.
  assert.ok(connection.heartbeats[0]!.at - connection.openedAt <= 250 + 200, "the first beat comes within one interval (jitter)");
  for (const gap of gaps(connection.heartbeats.map((beat) => beat.at)).slice(0, 3))
    assert.ok(gap > 240 && gap < 500, `a gap of ${Math.round(gap)} ms`);
  const seq = discord.fake.sessions()[0]!.seq;
  assert.equal(connection.heartbeats.at(-1)!.d, seq, "a heartbeat carries the last sequence number");
  const count = connection.heartbeats.length;
  const asked = performance.now();
  discord.fake.requestHeartbeat();
  await until(() => connection.heartbeats.length > count, "the requested heartbeat");
  assert.ok(connection.heartbeats[count]!.at - asked < 200, "op 1 is answered at once, not at the next interval");
});

test("without messageContent the bot asks for no privileged intent; mentions still carry their text", async (t) => {
  const discord = await discordHost(t, { config: { messageContent: false }, fake: { privilegedIntents: 0 } });
  await ready(discord);
  assert.equal(discord.fake.connections()[0]!.identify?.intents, CHAT_BOT_INTENTS);
  const addressed = await discord.fake.inject({
    chatType: "channel",
    chatId: "1200000000000000011",
    senderId: "1300000000000000011",
    text: "hi bot",
    mentionBot: true,
  });
  assert.equal((await discord.message((payload) => payload.message.id === addressed)).message.text, "hi bot");
  const before = (await discord.account()).counters.gated;
  await discord.fake.inject({ chatType: "channel", chatId: "1200000000000000011", senderId: "1300000000000000011", text: "not for you" });
  await until(async () => (await discord.account()).counters.gated > before, "the contentless message to be gated");
});

test("close 4014 (disallowed intents) stops the account with what to fix, and it does not retry", async (t) => {
  const discord = await discordHost(t, { fake: { privilegedIntents: 0 } });
  await until(async () => (await discord.account()).lifecycle === "blocked", "the account to be blocked");
  const account = await discord.account();
  assert.match(account.lastError, /4014/);
  assert.match(account.lastError, /Message Content/);
  const status = await discord.host.call("channels.status", {});
  assert.ok(status.statusIssues.some((issue: { channel: string }) => issue.channel === "discord"));
  const attempts = discord.fake.connections().length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(discord.fake.connections().length, attempts, "no further connection attempts");
});

test("close 4004 (token refused) mid-session stops the account; status says the token is invalid", async (t) => {
  const discord = await discordHost(t);
  await ready(discord);
  discord.fake.revokeToken();
  await until(async () => (await discord.account()).lifecycle === "blocked", "the account to be blocked");
  const account = await discord.account();
  assert.match(account.lastError, /refused the bot token/);
  assert.match(account.lastError, /4004/);
  assert.equal(account.connected, false);
  const attempts = discord.fake.connections().length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(discord.fake.connections().length, attempts, "a refused token is not retried");
});

test("a missing heartbeat ACK closes the zombie (not with 1000/1001) and resumes; nothing is lost", async (t) => {
  const discord = await discordHost(t, { fake: { heartbeatIntervalMs: 200, heartbeatTolerance: 0 } });
  await ready(discord);
  const zombie = discord.fake.connections()[0]!;
  discord.fake.setAckHeartbeats(false);
  const during = await discord.fake.inject({
    chatType: "direct",
    chatId: "1220000000000000021",
    senderId: "1300000000000000021",
    text: "during the silence",
  });
  await until(() => zombie.clientCloseCode !== undefined, "the driver to close the silent connection", 5_000);
  discord.fake.setAckHeartbeats(true);
  assert.equal(zombie.clientCloseCode, 4000);
  const after = await discord.fake.inject({
    chatType: "direct",
    chatId: "1220000000000000021",
    senderId: "1300000000000000021",
    text: "after the resume",
  });
  await discord.message((payload) => payload.message.id === after);
  assert.equal(discord.messages().filter((payload) => payload.message.id === during).length, 1);
  const resumed = discord.fake.connections()[1]!;
  assert.equal(resumed.path, "resume");
  assert.ok(resumed.resume?.tokenOk);
  const account = await discord.account();
  assert.match(account.details.gateway.lastClose.reason, /zombied/);
  assert.ok(account.reconnectAttempts >= 1);
});

test("op 7 and op 9 (resumable) resume; op 9 (not resumable) waits, then identifies on the main URL", async (t) => {
  const discord = await discordHost(t);
  await ready(discord);
  const next = async (what: string) => {
    const opened = discord.fake.connections().length;
    await until(() => discord.fake.connections().length > opened && discord.fake.openConnections!() === 1, what);
    await ready(discord);
    return discord.fake.connections().at(-1)!;
  };
  let waiting = next("a reconnect after op 7");
  discord.fake.requestReconnect(5_000);
  let connection = await waiting;
  assert.equal(connection.path, "resume");
  assert.ok(connection.resume);
  assert.equal(discord.fake.connections().at(-2)!.clientCloseCode, 4000, "the driver closed at once, keeping the session");

  waiting = next("a reconnect after op 9 (resumable)");
  discord.fake.invalidateSessions(true);
  connection = await waiting;
  assert.equal(connection.path, "resume");

  waiting = next("a reconnect after op 9 (not resumable)");
  const invalidated = performance.now();
  discord.fake.invalidateSessions(false);
  connection = await waiting;
  assert.equal(connection.path, "gateway");
  assert.ok(connection.identify, "a fresh identify");
  assert.ok(
    connection.openedAt - invalidated >= 95,
    `identified ${Math.round(connection.openedAt - invalidated)} ms after op 9, before the wait`,
  );
  const message = await discord.fake.inject({
    chatType: "direct",
    chatId: "1220000000000000031",
    senderId: "1300000000000000031",
    text: "new session",
  });
  await discord.message((payload) => payload.message.id === message);
  assert.equal((await discord.account()).details.gateway.identifies, 2);
});

test("close 4009 (session timed out) identifies anew; close 4000 resumes", async (t) => {
  const discord = await discordHost(t);
  await ready(discord);
  const after = async (code: number) => {
    const opened = discord.fake.connections().length;
    discord.fake.closeConnections(code);
    await until(() => discord.fake.connections().length > opened && discord.fake.openConnections!() === 1, `a reconnect after ${code}`);
    await ready(discord);
    return discord.fake.connections().at(-1)!;
  };
  assert.ok((await after(4009)).identify, "4009 ends the session");
  assert.ok((await after(4000)).resume, "4000 keeps it");
});

test("a slow defender never delays heartbeats: messages are taken at once, decided later", async (t) => {
  let release!: () => void;
  shared.__talonHold = new Promise<void>((resolve) => (release = resolve));
  t.after(() => {
    release();
    shared.__talonHold = undefined;
  });
  // The fake closes a connection whose heartbeat is more than two intervals late (4009).
  const discord = await discordHost(t, { plugins: [HOLD_DETECTOR], fake: { heartbeatIntervalMs: 300, heartbeatTolerance: 2 } });
  await ready(discord);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++)
    ids.push(
      await discord.fake.inject({
        chatType: "direct",
        chatId: `12500000000000000${String(i).padStart(2, "0")}`,
        senderId: "1300000000000000041",
        text: `slow ${i}`,
      }),
    );
  await until(async () => (await discord.account()).counters.inbound >= 20, "every message to be admitted while the defender holds");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(discord.messages().length, 0, "the defender has decided nothing yet");
  const connection = discord.fake.connections()[0]!;
  assert.equal(discord.fake.connections().length, 1, "no reconnect: the connection stayed healthy");
  assert.equal(connection.serverCloseCode, undefined, "Discord never timed the session out");
  const beats = connection.heartbeats.map((beat) => beat.at);
  assert.ok(beats.length >= 6, `${beats.length} heartbeats in over 2 s at 300 ms: ${gaps(beats).map(Math.round).join(", ")}`);
  for (const gap of gaps(beats)) assert.ok(gap < 300 * 2, `a heartbeat gap of ${Math.round(gap)} ms`);
  release();
  await until(() => ids.every((id) => discord.messages().some((payload) => payload.message.id === id)), "every message to be decided");
});

test("a full inbound queue closes the connection and resumes once drained: nothing lost, nothing twice", async (t) => {
  let release!: () => void;
  shared.__talonHoldInbound = new Promise<void>((resolve) => (release = resolve));
  t.after(() => {
    release();
    shared.__talonHoldInbound = undefined;
  });
  const discord = await discordHost(t, { plugins: [HOLD_INBOUND], config: { inboundQueueMax: 3 } });
  await ready(discord);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++)
    ids.push(
      await discord.fake.inject({
        chatType: "direct",
        chatId: `12600000000000000${String(i).padStart(2, "0")}`,
        senderId: "1300000000000000051",
        text: `queued ${i}`,
      }),
    );
  await until(() => discord.fake.connections()[0]!.clientCloseCode !== undefined, "the driver to close the connection");
  assert.equal(discord.fake.connections()[0]!.clientCloseCode, 4000, "closed resumable");
  setTimeout(() => release(), 300);
  await until(
    () => ids.every((id) => discord.messages().some((payload) => payload.message.id === id)),
    "every message to be decided",
    15_000,
  );
  for (const id of ids) assert.equal(discord.messages().filter((payload) => payload.message.id === id).length, 1, `message ${id} once`);
  const account = await discord.account();
  assert.ok(account.details.inbound.overflows >= 1);
  assert.ok(
    discord.fake.connections().some((connection) => connection.resume?.tokenOk),
    "the next connection resumed",
  );
});
