// Socket Mode against the fake Slack through a real Talon host: refreshes with a second socket,
// link_disabled, dead links, acknowledgement before the defender, malformed frames, revoked and
// unreachable credentials.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { startSlackHost, until } from "./test-support.ts";

const HOLD = fileURLToPath(new URL("../../test/channels/fixtures/hold-detector/index.ts", import.meta.url));
const connectionsOpened = (fake: { state: { calls: { method: string }[] } }) =>
  fake.state.calls.filter((call) => call.method === "apps.connections.open").length;

test("a refresh: warning opens a second socket before the old one closes, refresh_requested switches, no message lost or repeated", async () => {
  const { fake, status, messages } = await startSlackHost();
  const before = await status();
  const first = fake.socket.open()[0]!;
  let sent = 0;
  const ids: string[] = [];
  let streaming = true;
  const stream = (async () => {
    while (streaming || sent < 30) {
      ids.push(await fake.inject({ chatType: "direct", chatId: `D${sent}`, senderId: `U${sent}`, text: `during refresh ${sent++}` }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  fake.disconnect("warning");
  await until(() => fake.socket.open().length === 2, "a second socket after the warning");
  assert.ok(first.closedAt === undefined, "the warned socket is still open while the second one comes up");
  fake.socket.disconnect("refresh_requested", first);
  await until(() => first.closedAt !== undefined, "the refreshed socket to close");
  const second = fake.socket.connections.find((connection) => connection !== first)!;
  assert.ok(second.helloAt! < first.closedAt!, "the new socket said hello before the old one closed");
  streaming = false;
  await stream;
  await until(() => ids.every((id) => messages().some((event) => event.message.id === id)), "every message to arrive");
  for (const id of ids) assert.equal(messages().filter((event) => event.message.id === id).length, 1, `${id} processed once`);
  const after = await status();
  assert.equal(after.connected, true);
  assert.equal(after.reconnectAttempts, before.reconnectAttempts, "a refresh is not a reconnect");
  assert.equal(fake.socket.open().length, 1);
});

test("refresh_requested alone: the replacement comes up first; link_disabled stops the account for good", async () => {
  const { fake, status } = await startSlackHost();
  const first = fake.socket.open()[0]!;
  fake.disconnect("refresh_requested");
  await until(() => first.closedAt !== undefined, "the old socket to close");
  assert.equal(fake.socket.open().length, 1, "one socket again");
  assert.ok(fake.socket.open()[0]!.helloAt! < first.closedAt!, "no moment without a socket");
  const text = `after refresh ${Date.now()}`;
  await fake.inject({ chatType: "direct", chatId: "D1", senderId: "U1", text });

  const opened = connectionsOpened(fake);
  fake.disconnect("link_disabled");
  await until(async () => (await status()).lifecycle === "blocked", "the account to stop");
  const entry = await status();
  assert.match(entry.lastError, /link_disabled/);
  assert.equal(entry.running, false);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(connectionsOpened(fake), opened, "no reconnect after link_disabled");
  assert.equal(fake.openConnections!(), 0);
});

test("acknowledges an envelope once Talon stored the message, before the defender decides", async () => {
  let release!: () => void;
  (globalThis as { __talonHold?: Promise<void> }).__talonHold = new Promise((resolve) => {
    release = resolve;
  });
  try {
    const fake = await startSlackHost({ plugins: [HOLD] });
    const text = `held ${Date.now()}`;
    const started = performance.now();
    const id = await fake.fake.inject({ chatType: "direct", chatId: "D7", senderId: "U7", text });
    assert.ok(performance.now() - started < 3_000, "acknowledged within Slack's 3 s");
    assert.equal(
      fake.messages().some((event) => event.message.id === id),
      false,
      "acknowledged while the defender still holds it",
    );
    release();
    const event = await fake.message((payload) => payload.message.id === id);
    assert.equal(event.status, "decided");
    assert.ok(fake.fake.socket.acks.every((ack) => ack.afterMs < 3_000));
  } finally {
    release();
    delete (globalThis as { __talonHold?: Promise<void> }).__talonHold;
  }
});

test("a dead link (no pongs) is noticed and replaced; malformed frames and unknown envelopes do not break it", async () => {
  const { fake, status, message } = await startSlackHost();
  fake.socket.broadcastRaw("this is not json");
  fake.socket.broadcastRaw(JSON.stringify({ type: "events_api" }));
  fake.socket.broadcastRaw(
    JSON.stringify({
      type: "slash_commands",
      envelope_id: "env-slash-1",
      payload: { command: "/talon", text: "hi" },
      accepts_response_payload: true,
    }),
  );
  await fake.deliver({ type: "event_callback", event_id: "Ev-odd", event: { type: "reaction_added", user: "U1" } });
  await fake.deliver({ type: "event_callback", event_id: "Ev-bad", event: "not an event" });
  await fake.deliver("not even an object");
  await until(() => fake.socket.ackedIds.includes("env-slash-1"), "the unsupported envelope to be acknowledged");
  const text = `still fine ${Date.now()}`;
  await fake.inject({ chatType: "direct", chatId: "D2", senderId: "U2", text });
  await message((payload) => payload.message.text === text);

  const before = (await status()).reconnectAttempts;
  const dead = fake.socket.open()[0]!;
  fake.socket.stallPongs(true);
  await until(() => dead.closedAt !== undefined, "the driver to give up on the silent socket", 8_000);
  fake.socket.stallPongs(false);
  await until(async () => {
    const entry = await status();
    return entry.reconnectAttempts > before && entry.connected === true;
  }, "the account to reconnect");
  const after = `after the dead link ${Date.now()}`;
  await fake.inject({ chatType: "direct", chatId: "D2", senderId: "U2", text: after });
  await message((payload) => payload.message.text === after);
});

test("a revoked bot token stops the account without retrying; Slack staying down is retried within bounds, then blocked", async () => {
  const { fake, status, host } = await startSlackHost();
  fake.revoke(true);
  await fake.dropConnections!();
  await until(async () => (await status()).lifecycle === "blocked", "the account to stop on token_revoked");
  const entry = await status();
  assert.match(entry.lastError, /token_revoked/);
  assert.match(entry.lastError, /botToken/, "says which credential to fix");
  assert.equal(JSON.stringify(await host.call("channels.status", {})).includes(fake.state.botToken), false, "no token in the status");
  const authCalls = () => fake.state.calls.filter((call) => call.method === "auth.test").length;
  const calls = authCalls();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(authCalls(), calls, "a refused token is not tried again");

  fake.revoke(false);
  fake.answerNext({ method: "apps.connections.open", count: 1_000, status: 503, body: "upstream connect error" });
  const opened = connectionsOpened(fake);
  await host.call("channels.start", { channel: "slack" });
  await until(async () => (await status()).lifecycle === "blocked", "Talon to give up", 15_000);
  assert.match((await status()).lastError, /gave up after 5 restart attempts/);
  const attempts = connectionsOpened(fake) - opened;
  assert.ok(attempts >= 5 && attempts <= 6, `${attempts} attempts to open a socket; the bound is 5 restarts`);
  fake.state.armed.length = 0;
  await host.call("channels.start", { channel: "slack" });
  await until(async () => (await status()).connected === true, "the account to recover once Slack is back");
});
