// The Events API Request URL against the fake Slack's signing sender through a real host:
// url_verification, signatures and the replay window, retries deduped, 503 then a retry that
// lands once Talon takes messages again, malformed and unknown payloads.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DriverContext } from "@talon/sdk";
import { SLACK_SIGNING_SECRET } from "../../test/fakes/slack/index.ts";
import slack, { configSchema } from "./index.ts";
import { startSlackHost, until } from "./test-support.ts";

test("answers url_verification, refuses bad signatures, stale and future timestamps, and malformed bodies", async () => {
  const { fake, status, message } = await startSlackHost({ fake: { mode: "http" } });
  const challenge = await fake.post({
    token: "t",
    challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    type: "url_verification",
  });
  assert.equal(challenge.status, 200);
  assert.equal(challenge.json.challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");

  const body = fake.callback({ type: "message", channel: "D1", channel_type: "im", user: "U1", text: "forged", ts: "1700000000.000001" });
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await fake.post(body, { secret: "not-the-signing-secret-at-all" })).status, 401, "wrong secret");
  assert.equal((await fake.post(body, { timestamp: now - 301 })).status, 401, "older than the window");
  assert.equal((await fake.post(body, { timestamp: now + 120 })).status, 401, "from the future");
  assert.equal((await fake.post(body, { headers: { "x-slack-signature": "v0=00" } })).status, 401, "tampered signature");
  const malformed = await fake.post(undefined, { raw: "{not json" });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.headers.get("x-slack-no-retry"), "1", "Slack is told not to retry what can never succeed");
  assert.equal((await fake.post({ type: "event_callback", event_id: "Ev1", event: { type: "team_join" } })).status, 200, "unknown events");
  assert.equal((await fake.post({ type: "app_rate_limited", minute_rate_limited: 1 })).status, 200);
  assert.equal((await status()).counters.inbound, 0, "nothing forged, stale or odd was admitted");

  const text = `signed ${Date.now()}`;
  await fake.inject({ chatType: "direct", chatId: "D2", senderId: "U2", text });
  await message((payload) => payload.message.text === text);
});

test("Slack's retries carry X-Slack-Retry-Num and are stored once; a 503 while Talon is not taking messages is retried and lands", async () => {
  const { fake, host, status, messages } = await startSlackHost({ fake: { mode: "http", httpRetryDelaysMs: [0, 300, 600] } });
  const id = await fake.inject({ chatType: "channel", chatId: "C1", senderId: "U1", text: "<@UBOT0001> first", mentionBot: false });
  for (const retry of ["1", "2", "3"]) {
    const again = await fake.post(
      fake.callback({
        type: "message",
        channel: "C1",
        channel_type: "channel",
        user: "U1",
        text: "<@UBOT0001> first",
        ts: id.split(":")[1],
      }),
      {
        headers: { "x-slack-retry-num": retry, "x-slack-retry-reason": "http_timeout" },
      },
    );
    assert.equal(again.status, 200);
    assert.equal(again.json.status, "duplicate");
  }
  await until(() => messages().some((event) => event.message.id === id), "the message");
  assert.equal(messages().filter((event) => event.message.id === id).length, 1);
  assert.ok((await status()).counters.duplicates >= 3);

  await host.call("channels.stop", { channel: "slack" });
  const event = { type: "message", channel: "D5", channel_type: "im", user: "U5", text: "while stopped", ts: fake.state.nextTs() };
  const delivery = fake.events.deliver(fake.callback(event));
  await until(() => fake.events.log.some((entry) => entry.status === 503), "a 503 for Slack to retry");
  await host.call("channels.start", { channel: "slack" });
  const result = await delivery;
  assert.equal(result.status, 200, "a later retry was taken");
  assert.ok(fake.events.log.some((entry) => entry.retryNum !== undefined && entry.status === 200));
  await until(() => messages().some((entry) => entry.message.text === "while stopped"), "the retried message");
});

test("a replay window longer than runtime.dedupeTtlMs is refused at start, naming the setting", () => {
  const create = (dedupeTtlMs: number) =>
    slack.channelDriver.create({
      driverId: "slack",
      accountId: "default",
      config: configSchema.parse({ mode: "http", botToken: "xoxb-1", signingSecret: SLACK_SIGNING_SECRET }),
      dedupeTtlMs,
      signal: new AbortController().signal,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      registerHttpRoute() {},
    } as unknown as DriverContext<any>);
  assert.throws(() => create(60_000), /runtime\.dedupeTtlMs/);
  assert.doesNotThrow(() => create(300_000));
});

test("config: socket mode needs appToken, http mode needs signingSecret, tokens look like Slack's", () => {
  assert.match(JSON.stringify(configSchema.safeParse({ botToken: "xoxb-1" }).error?.issues), /appToken/);
  assert.match(JSON.stringify(configSchema.safeParse({ botToken: "xoxb-1", mode: "http" }).error?.issues), /signingSecret/);
  assert.match(JSON.stringify(configSchema.safeParse({ botToken: "abc", appToken: "xapp-1" }).error?.issues), /xoxb-/);
  assert.equal(configSchema.safeParse({ botToken: "xoxb-1", appToken: "xapp-1" }).success, true);
});
