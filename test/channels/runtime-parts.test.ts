import assert from "node:assert/strict";
import { test } from "node:test";
import { DriverRateLimitError, KNOWN_CHANNELS, MAX_RETRY_AFTER_MS, channelSessionKey, parseSessionKey, z } from "@talon/sdk";
import { effectiveLimits } from "../../core/channels/limits.ts";
import { hasControlCommand, resolveMentionGate, type MentionGateInput } from "../../core/channels/mention-gate.ts";
import { callPlatform } from "../../core/channels/retry.ts";
import { TokenBucket } from "../../core/channels/token-bucket.ts";
import { TtlSet } from "../../core/channels/ttl-set.ts";
import { channelRuntimeSettingsSchema, driverPluginConfigSchema } from "../../sdk/driver-config.ts";

const group: MentionGateInput = {
  isGroup: true,
  requireMention: true,
  canDetectMention: true,
  wasMentioned: false,
  implicitMention: false,
  hasAnyMention: false,
  commandAuthorized: false,
  hasControlCommand: false,
};

test("mention gating: seed rules, bypass commands only for authorised senders", () => {
  assert.equal(resolveMentionGate(group).shouldSkip, true, "a group message without a mention is skipped");
  assert.equal(resolveMentionGate({ ...group, wasMentioned: true }).shouldSkip, false);
  assert.equal(resolveMentionGate({ ...group, implicitMention: true }).shouldSkip, false, "a reply to the bot counts as a mention");
  assert.equal(resolveMentionGate({ ...group, canDetectMention: false }).shouldSkip, false, "no detection: never skipped");
  assert.equal(resolveMentionGate({ ...group, isGroup: false }).shouldSkip, false, "direct chats are never gated");
  assert.equal(resolveMentionGate({ ...group, requireMention: false }).shouldSkip, false);
  assert.equal(
    resolveMentionGate({ ...group, hasControlCommand: true }).shouldSkip,
    true,
    "an unauthorised /reset does not bypass (the seed let anyone)",
  );
  const bypass = resolveMentionGate({ ...group, hasControlCommand: true, commandAuthorized: true });
  assert.deepEqual(bypass, { effectiveWasMentioned: true, shouldSkip: false }, "an authorised /reset bypasses and counts as a mention");
  assert.equal(
    resolveMentionGate({ ...group, hasControlCommand: true, commandAuthorized: true, hasAnyMention: true }).shouldSkip,
    true,
    "a command addressed to someone else does not bypass",
  );
});

test("control commands: first word after slashes, bot suffix ignored", () => {
  for (const text of ["/reset", "  //stop now", "/HELP", "/new@my_bot please", "/cancel"])
    assert.equal(hasControlCommand(text), true, text);
  for (const text of ["reset", "/resetting", "/deploy", "hello /reset", ""]) assert.equal(hasControlCommand(text), false, text);
});

test("channel session keys: canonical, parse to the right kind, ids cannot forge segments", () => {
  const base = { channel: "Telegram", accountId: "default", chatId: "-100123", senderId: "42" };
  const dm = channelSessionKey({ ...base, chatType: "direct" });
  assert.equal(dm, "agent:main:telegram:dm:42");
  assert.equal(parseSessionKey(dm).kind, "direct");
  const topic = channelSessionKey({ ...base, chatType: "group", threadId: "7" });
  assert.equal(topic, "agent:main:telegram:group:-100123:topic:7");
  assert.deepEqual(
    { kind: parseSessionKey(topic).kind, scope: parseSessionKey(topic).scope, topic: parseSessionKey(topic).topic },
    { kind: "group", scope: "-100123", topic: "7" },
  );
  assert.equal(
    channelSessionKey({ ...base, chatType: "channel", channel: "tg" }),
    "agent:main:telegram:channel:-100123",
    "aliases normalise",
  );
  const other = channelSessionKey({ ...base, chatType: "direct", accountId: "work" });
  assert.equal(other, "agent:main:telegram:dm:work:42", "a second account gets its own sessions");
  const forged = channelSessionKey({ ...base, chatType: "group", chatId: "g1:topic:evil" });
  assert.equal(parseSessionKey(forged).topic, undefined, "a ':' in an id is encoded, so it cannot add a topic");
  assert.equal(forged, "agent:main:telegram:group:g1%3Atopic%3Aevil");
});

test("limits: the known channels' table, declared limits, config may only lower", () => {
  const settings = channelRuntimeSettingsSchema.parse({});
  const known = (id: string) => KNOWN_CHANNELS.get(id)?.limits;
  assert.deepEqual(
    [effectiveLimits(known("discord"), undefined, settings).text, effectiveLimits(known("discord"), undefined, settings).lines],
    [2000, 17],
  );
  for (const id of ["telegram", "slack", "whatsapp", "signal", "unknown-platform"])
    assert.equal(effectiveLimits(known(id), undefined, settings).text, 4000, id);
  assert.equal(effectiveLimits(known("webchat"), undefined, settings).mode, "newline", "webchat: one paragraph per message");
  assert.equal(effectiveLimits(known("x"), { text: 500 }, settings).text, 500);
  assert.equal(effectiveLimits(known("discord"), { text: 500 }, settings).lines, 17, "the table fills what a driver leaves out");
  assert.equal(
    effectiveLimits(known("x"), { text: 500 }, channelRuntimeSettingsSchema.parse({ textChunkLimit: 9000 })).text,
    500,
    "config never raises the platform's limit",
  );
  assert.equal(effectiveLimits(known("x"), { text: 500 }, channelRuntimeSettingsSchema.parse({ textChunkLimit: 100 })).text, 100);
});

test("driver plugin config: single-account shorthand, several accounts, idle when unconfigured, clear errors", () => {
  const schema = driverPluginConfigSchema(z.strictObject({ token: z.string() }));
  const single = schema.parse({ token: "t", runtime: { requireMention: false } });
  assert.deepEqual(Object.keys(single.accounts), ["default"]);
  assert.equal(single.runtime.requireMention, false);
  assert.equal(single.runtime.retry.retries, 3, "defaults filled");
  const many = schema.parse({ accounts: { a: { token: "1" }, b: { token: "2" } } });
  assert.deepEqual(Object.keys(many.accounts), ["a", "b"]);
  assert.deepEqual(schema.parse(undefined).accounts, {}, "a driver that needs credentials loads idle when nothing is configured");
  assert.deepEqual(schema.parse({ runtime: { requireMention: false } }).accounts, {});
  assert.deepEqual(
    Object.keys(driverPluginConfigSchema(z.object({ port: z.number().default(1) })).parse({}).accounts),
    ["default"],
    "a driver that needs no settings runs one default account",
  );
  const missing = schema.safeParse({ token: 42 });
  assert.equal(missing.success, false);
  assert.deepEqual(missing.error!.issues[0]!.path, ["accounts", "default", "token"]);
  const mixed = schema.safeParse({ accounts: { a: { token: "1" } }, token: "stray" });
  assert.equal(mixed.success, false, "account settings beside `accounts` are refused, not ignored");
  assert.equal(schema.safeParse({ accounts: { "bad id!": { token: "1" } } }).success, false);
});

test("ttl set: expiry, refresh and a hard bound", () => {
  const set = new TtlSet(1000, 3);
  set.add("a", 0);
  assert.equal(set.has("a", 999), true);
  assert.equal(set.has("a", 1000), false, "expired");
  for (const key of ["a", "b", "c", "d"]) set.add(key, 2000);
  assert.equal(set.size, 3);
  assert.equal(set.has("a", 2000), false, "the oldest is evicted when full");
  assert.equal(set.has("d", 2000), true);
});

test("token bucket: burst is synchronous, then paced; a pause holds every sender until retry-after", async () => {
  const bucket = new TokenBucket(1000, 3, "test");
  assert.equal(bucket.take(), undefined);
  assert.equal(bucket.take(), undefined);
  assert.equal(bucket.take(), undefined);
  const waited = bucket.take();
  assert.ok(waited instanceof Promise, "the fourth waits");
  await waited;
  bucket.pause(150);
  const started = performance.now();
  assert.ok(bucket.pausedForMs() > 100, "the bucket reports its pause");
  await (bucket.take() ?? Promise.resolve());
  assert.ok(performance.now() - started >= 145, "released only after the pause");
  const closing = new TokenBucket(1, 1, "test");
  closing.take();
  const pending = closing.take();
  closing.close(new Error("stopped"));
  await assert.rejects(pending!, /stopped/);
});

test("ctx.channels.chunk: the core's chunks for a channel, loaded or not", async () => {
  const { startTestHost } = await import("../helpers/host.ts");
  const { host } = await startTestHost({}, { gateway: false });
  const api = host.channels.apiFor("some-plugin");
  assert.equal(api.chunk("x".repeat(4001), { channel: "slack" }).length, 2);
  assert.equal(api.chunk("x".repeat(4001), { channel: "discord" }).length, 3);
  assert.deepEqual(api.chunk("one\n\ntwo\n\n\nthree", { channel: "webchat" }), ["one", "two", "three"]);
  assert.equal(
    api.chunk(Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n"), { channel: "discord" }).length,
    2,
    "17 lines per Discord message",
  );
});

test("token bucket: a pause longer than setTimeout's range does not spin on 1 ms timers", async () => {
  const bucket = new TokenBucket(1, 1, "demo");
  bucket.tryTake();
  const original = globalThis.setTimeout;
  let scheduled = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    scheduled++;
    return original(fn, ms);
  }) as typeof setTimeout;
  try {
    bucket.pause(3_000_000_000);
    const waiting = bucket.take()!;
    waiting.catch(() => {});
    await new Promise((resolve) => original(resolve, 50));
    assert.ok(scheduled <= 2, `timers scheduled: ${scheduled}`);
  } finally {
    globalThis.setTimeout = original;
    bucket.close(new Error("done"));
  }
});

test("callPlatform: a retry-after beyond MAX_RETRY_AFTER_MS pauses the buckets for at most that", async () => {
  const bucket = new TokenBucket(1000, 10, "demo");
  const chat = new TokenBucket(1000, 10, "demo");
  const account = {
    driverId: "demo",
    settings: { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2, maxTotalMs: 1_000 } },
    bucket,
    chatBucket: () => chat,
    signal: new AbortController().signal,
    stopped: false,
    snapshot: { counters: { retries: 0 } },
  } as unknown as Parameters<typeof callPlatform>[0];
  await assert.rejects(
    callPlatform(account, "c1", async () => {
      throw new DriverRateLimitError("demo", Number.MAX_SAFE_INTEGER);
    }),
  );
  assert.ok(bucket.pausedForMs() <= MAX_RETRY_AFTER_MS, `account bucket paused ${bucket.pausedForMs()} ms`);
  assert.ok(chat.pausedForMs() <= MAX_RETRY_AFTER_MS, `chat bucket paused ${chat.pausedForMs()} ms`);
  bucket.close(new Error("done"));
  chat.close(new Error("done"));
});
