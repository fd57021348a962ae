/**
 * `testChannelDriver`: the one conformance suite every channel driver passes, bundled or third
 * party. It loads the driver into a real Talon host (through `plugins.load`, as a user's config
 * would), points it at the author's fake platform, and checks what users rely on: start and
 * stop, inbound normalisation and session keys, mention gating, dedupe, echo suppression,
 * sending within limits, chunking, 429 and 5xx handling, oversized input, reconnects, and proof
 * of every capability the driver declares (and a refusal for every one it does not).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ChatType } from "../action.ts";
import { channelSessionKey } from "../channel.ts";
import { isChannelDriverPlugin, type DriverCapabilities } from "../driver.ts";
import type { FakeInbound, FakePlatform } from "./fake-platform.ts";
import { loadHarnessFactory, type DriverHarness, type HarnessFactory } from "./harness.ts";

/** Runtime settings the suite runs drivers with: short delays so retries and reconnects are quick. */
export const CONFORMANCE_RUNTIME = {
  retry: { retries: 2, minDelayMs: 20, maxDelayMs: 200, maxTotalMs: 10_000 },
  reconnect: { maxAttempts: 20, initialDelayMs: 50, maxDelayMs: 500, jitter: 0 },
  maxInboundChars: 5_000,
  startTimeoutMs: 5_000,
} as const;

export interface ConformanceContext {
  harness(): DriverHarness;
  fake(): FakePlatform;
  /** A fresh id for chats, messages and texts of one test. */
  unique(prefix: string): string;
  /** Wait until `check` returns true (polled), or fail naming `what`. Platforms may apply things asynchronously. */
  waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
}

export interface ConformanceOptions {
  /** The driver module (path or file URL) whose default export is `defineChannelDriver(...)`. */
  driver: string | URL;
  /** Build the fake platform (called once). */
  fake: () => FakePlatform;
  /** The host harness; default: found at run time (see `loadHarnessFactory`). */
  harness?: HarnessFactory;
  accountId?: string;
  /** Driver-specific tests, run against the same driver after the shared ones. */
  additionalTests?: (context: ConformanceContext) => void;
  /** How long to wait for any condition (ms); default 10,000. */
  timeoutMs?: number;
}

const CAPABILITY_NAMES = [
  "edit",
  "delete",
  "reactions",
  "typing",
  "polls",
  "threads",
  "media",
] as const satisfies readonly (keyof DriverCapabilities)[];

function contentOf(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Words up to exactly `length` characters, ending in a non-space. */
function textOfLength(length: number, seed: string): string {
  let text = `${seed} `;
  while (text.length < length) text += "lorem ipsum dolor sit amet ";
  text = text.slice(0, length);
  return `${text
    .slice(0, -1)
    .trimEnd()
    .padEnd(length - 1, "x")}z`;
}

/**
 * Register the conformance suite for one driver with node:test. Await it at the top of the test
 * file: it reads the driver's declared capabilities first, so only the checks that apply to the
 * driver and its platform are registered (no skipped tests).
 */
export async function testChannelDriver(options: ConformanceOptions): Promise<void> {
  const driverPath =
    options.driver instanceof URL || String(options.driver).startsWith("file:") ? fileURLToPath(options.driver) : String(options.driver);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const plugin = ((await import(pathToFileURL(driverPath).href)) as { default?: unknown }).default;
  if (!isChannelDriverPlugin(plugin)) throw new Error(`[talon] ${driverPath} does not default-export defineChannelDriver({...})`);
  const capabilities: DriverCapabilities = plugin.channelDriver.capabilities;
  const group = capabilities.chatTypes.find((type) => type !== "direct");
  const dmType: ChatType = capabilities.chatTypes.includes("direct") ? "direct" : capabilities.chatTypes[0]!;
  let harness: DriverHarness | undefined;
  // Built now (not started) so the suite knows which optional controls the platform has.
  const fake: FakePlatform = options.fake();
  let counter = 0;
  const context: ConformanceContext = {
    harness: () => harness ?? assert.fail("the harness did not start"),
    fake: () => fake,
    unique: (prefix) => `${prefix}-${process.pid}-${++counter}`,
    async waitUntil(check, what, limit = timeoutMs) {
      const deadline = performance.now() + limit;
      while (!(await check())) {
        if (performance.now() > deadline) assert.fail(`timed out after ${limit} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  const { unique, waitUntil } = context;
  const h = () => context.harness();
  const f = () => context.fake();
  const status = () => h().accountStatus();
  const target = () => ({ channel: h().driverId, accountId: h().accountId });
  /** Send and wait until the platform has every chunk (a local platform delivers asynchronously). */
  const send = async (chatId: string, message: string, extra: Record<string, unknown> = {}) => {
    const result = await h().call("send", {
      channel: h().driverId,
      accountId: h().accountId,
      to: chatId,
      message,
      idempotencyKey: unique("send"),
      ...extra,
    });
    const last = (result.messageIds as string[]).at(-1);
    if (last !== undefined)
      await waitUntil(
        () =>
          f()
            .sent()
            .some((sent) => sent.messageId === last),
        `the platform to receive message ${last}`,
      );
    return result;
  };
  /** A chat the bot may send to (platforms such as webchat issue their own ids). */
  const chat = async (hint: string) => (f().openChat ? f().openChat!(unique(hint)) : unique(hint));
  /** Inject and return where the message landed. */
  const inject = async (message: FakeInbound) => {
    const result = await f().inject(message);
    return typeof result === "string" ? { id: result, chatId: message.chatId, senderId: message.senderId } : result;
  };
  let textLimit = 4000;
  let maxLines = 0;

  describe(`channel driver conformance: ${driverPath}`, () => {
    before(async () => {
      await fake.start();
      const factory = options.harness ?? (await loadHarnessFactory());
      harness = await factory({
        driverModule: driverPath,
        config: fake.driverConfig(),
        runtime: { ...CONFORMANCE_RUNTIME },
        accountId: options.accountId,
      });
      fake.attach?.({ httpUrl: harness.httpUrl, accountId: harness.accountId });
      const overview = await harness.call("channels.status", {});
      textLimit = overview.channels[harness.driverId].limits.textChunkLimit;
      maxLines = overview.channels[harness.driverId].limits.maxLinesPerMessage ?? 0;
    });
    after(async () => {
      await harness?.stop();
      await fake.stop();
    });

    test("starts: the account is running and connected, and channels.status shows its capabilities", async () => {
      await waitUntil(async () => {
        const entry = await status();
        return entry?.running === true && entry.connected === true && entry.lifecycle === "ready";
      }, "the account to be running and connected");
      const overview = await h().call("channels.status", {});
      const supports = overview.channels[h().driverId].supports;
      for (const name of CAPABILITY_NAMES)
        assert.equal(supports[name === "reactions" ? "reactions" : name], capabilities[name] === true, `supports.${name}`);
      assert.deepEqual(supports.chatTypes, [...capabilities.chatTypes]);
    });

    test("normalises a direct message: ids, sender, text, session key, and a decision", async () => {
      const chatType = dmType;
      const chatId = unique("chat");
      const senderId = unique("user");
      const text = `hello ${unique("text")}`;
      const landed = await inject({ chatType, chatId, senderId, senderName: "Ada", text, mentionBot: true });
      const event = await h().waitForEvent((e) => e.message.text === text, timeoutMs);
      assert.equal(event.channel, h().driverId);
      assert.equal(event.accountId, h().accountId);
      assert.equal(event.message.id, landed.id);
      assert.equal(event.message.chatType, chatType);
      assert.equal(event.message.chatId, landed.chatId);
      assert.equal(event.message.sender.id, landed.senderId);
      assert.equal(
        event.sessionKey,
        channelSessionKey({ channel: h().driverId, accountId: h().accountId, chatType, chatId: landed.chatId, senderId: landed.senderId }),
      );
      assert.equal(event.status, "decided");
      assert.ok(event.decision && ["allow", "review", "block"].includes(event.decision.action), "the defender decided");
      const entry = await status();
      assert.ok(typeof entry.lastInboundAt === "number", "channels.status shows lastInboundAt");
    });

    test("drops a redelivered message (dedupe)", async () => {
      const text = `once ${unique("text")}`;
      const chatType = dmType;
      const { id } = await inject({ chatType, chatId: unique("chat"), senderId: unique("user"), text, mentionBot: true });
      await h().waitForEvent((e) => e.message.id === id, timeoutMs);
      const before = (await status()).counters.duplicates;
      await f().redeliver(id);
      await waitUntil(async () => (await status()).counters.duplicates > before, "the redelivery to be counted as a duplicate");
      assert.equal(
        h()
          .events()
          .filter((e) => e.message.id === id).length,
        1,
      );
    });

    if (group)
      test("gates group messages that do not mention the bot", async () => {
        const chatId = unique("group");
        const before = (await status()).counters.gated;
        const quiet = `chatter ${unique("text")}`;
        const addressed = `bot, please ${unique("text")}`;
        await inject({ chatType: group, chatId, senderId: unique("user"), text: quiet, mentionBot: false });
        await inject({ chatType: group, chatId, senderId: unique("user"), text: addressed, mentionBot: true });
        const event = await h().waitForEvent((e) => e.message.text.includes(addressed), timeoutMs);
        assert.equal(event.message.chatType, group);
        await waitUntil(async () => (await status()).counters.gated > before, "the unaddressed message to be gated");
        assert.equal(
          h()
            .events()
            .some((e) => e.message.text === quiet),
          false,
          "an unaddressed group message never reaches the defender",
        );
      });

    test("refuses an oversized message and keeps working", async () => {
      const chatType = dmType;
      const chatId = unique("chat");
      const before = (await status()).counters.rejected;
      await f().injectOversized({ chatType, chatId, senderId: unique("user"), mentionBot: true }, CONFORMANCE_RUNTIME.maxInboundChars + 1);
      await waitUntil(async () => (await status()).counters.rejected > before, "the oversized message to be refused");
      assert.match(String((await status()).lastError), /limit/);
      const text = `after the big one ${unique("text")}`;
      await inject({ chatType, chatId, senderId: unique("user"), text, mentionBot: true });
      await h().waitForEvent((e) => e.message.text === text, timeoutMs);
    });

    test("sends within the limit: one message, and the receipt carries the platform's id", async () => {
      const chatId = await chat("chat");
      const text = `reply ${unique("text")}`;
      const result = await send(chatId, text);
      const sent = f()
        .sent()
        .filter((message) => message.chatId === chatId);
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.text, text);
      assert.equal(result.messageId, sent[0]!.messageId);
      assert.deepEqual(result.messageIds, [sent[0]!.messageId]);
      assert.equal(result.chunkCount, 1);
      assert.ok(typeof (await status()).lastOutboundAt === "number", "channels.status shows lastOutboundAt");
    });

    test("exactly the text limit is one message; one character more is two", async () => {
      const exact = await chat("chat");
      await send(exact, textOfLength(textLimit, "edge"));
      const over = await chat("chat");
      await send(over, textOfLength(textLimit + 1, "edge"));
      assert.equal(
        f()
          .sent()
          .filter((message) => message.chatId === exact).length,
        1,
      );
      const split = f()
        .sent()
        .filter((message) => message.chatId === over);
      assert.equal(split.length, 2);
      for (const message of split) assert.ok(message.text.length <= textLimit, `chunk of ${message.text.length} > ${textLimit}`);
    });

    test("chunks long text: in order, within the limits, nothing lost", async () => {
      const chatId = await chat("chat");
      const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i}. ${textOfLength(Math.ceil(textLimit / 2.5), `p${i}`)}`);
      const text = paragraphs.join("\n\n");
      const result = await send(chatId, text);
      const sent = f()
        .sent()
        .filter((message) => message.chatId === chatId);
      assert.ok(sent.length >= 3, `expected several chunks, got ${sent.length}`);
      assert.equal(result.chunkCount, sent.length);
      assert.deepEqual(
        result.messageIds,
        sent.map((message) => message.messageId),
      );
      for (const message of sent) {
        assert.ok(message.text.length <= textLimit, `chunk of ${message.text.length} > ${textLimit}`);
        if (maxLines > 0) assert.ok(message.text.split("\n").length <= maxLines, `chunk of more than ${maxLines} lines`);
      }
      assert.equal(contentOf(sent.map((message) => message.text).join("")), contentOf(text));
    });

    const remote = fake.sendAttempts && fake.rateLimitNext && fake.failNext;
    if (remote)
      test("honours a 429 retry-after before sending again", async () => {
        const retryAfterMs = 300;
        const before = f().sendAttempts!().length;
        const retriesBefore = (await status()).counters.retries;
        f().rateLimitNext!(1, retryAfterMs);
        const chatId = await chat("chat");
        await send(chatId, `paced ${unique("text")}`);
        const attempts = f().sendAttempts!().slice(before);
        assert.ok(attempts.length >= 2, "the refused send was retried");
        assert.ok(
          attempts[1]! - attempts[0]! >= retryAfterMs - 5,
          `retried after ${Math.round(attempts[1]! - attempts[0]!)} ms, before the ${retryAfterMs} ms retry-after`,
        );
        assert.equal(
          f()
            .sent()
            .filter((message) => message.chatId === chatId).length,
          1,
        );
        assert.ok((await status()).counters.retries > retriesBefore, "the retry shows in channels.status counters");
      });

    if (remote)
      test("retries server errors within bounds, then reports the failure in channels.status", async () => {
        f().failNext!(1);
        const chatId = await chat("chat");
        await send(chatId, `after one failure ${unique("text")}`);
        assert.equal(
          f()
            .sent()
            .filter((message) => message.chatId === chatId).length,
          1,
        );
        const before = f().sendAttempts!().length;
        f().failNext!(1_000);
        try {
          await assert.rejects(
            send(await chat("chat"), `doomed ${unique("text")}`),
            (error: { code?: string }) => error.code === "TALON_DRIVER_NETWORK",
          );
          const attempts = f().sendAttempts!().length - before;
          assert.ok(
            attempts >= 2 && attempts <= CONFORMANCE_RUNTIME.retry.retries + 1,
            `${attempts} attempts; the bound is ${CONFORMANCE_RUNTIME.retry.retries + 1}`,
          );
          const entry = await status();
          assert.ok(entry.lastError, "the failure shows in channels.status");
          assert.ok(entry.counters.failedSends >= 1, "counters.failedSends counts the failed send");
        } finally {
          f().failNext!(0);
        }
        const recovered = await chat("chat");
        await send(recovered, `recovered ${unique("text")}`);
        assert.equal(
          f()
            .sent()
            .filter((message) => message.chatId === recovered).length,
          1,
        );
      });

    if (fake.echoLastSent)
      test("drops the bot's own messages coming back (echo suppression)", async () => {
        const chatId = await chat("chat");
        const result = await send(chatId, `my own words ${unique("text")}`);
        const before = (await status()).counters.echoes;
        await f().echoLastSent!();
        await waitUntil(async () => (await status()).counters.echoes > before, "the echo to be dropped");
        assert.equal(
          h()
            .events()
            .some((e) => e.message.id === result.messageId),
          false,
        );
      });

    const observed = <T>(name: string, list: (() => T[]) | undefined): T[] => {
      assert.ok(list, `the driver declares ${name}: the fake platform must expose what it observed to prove it`);
      return list.call(f());
    };
    type Ref = { chatId: string; messageId: string };
    const proofs: Record<(typeof CAPABILITY_NAMES)[number], { prove(ref: Ref): Promise<void>; attempt(ref: Ref): Promise<unknown> }> = {
      edit: {
        async prove(ref) {
          const text = `edited ${unique("text")}`;
          await h().channels.edit(target(), ref, text);
          await waitUntil(
            () => observed("edit", f().edits).some((edit) => edit.messageId === ref.messageId && edit.text === text),
            "the platform to apply the edit",
          );
        },
        attempt: (ref) => h().channels.edit(target(), ref, "x"),
      },
      delete: {
        async prove(ref) {
          await h().channels.delete(target(), ref);
          await waitUntil(() => observed("delete", f().deletions).includes(ref.messageId), "the platform to delete the message");
        },
        attempt: (ref) => h().channels.delete(target(), ref),
      },
      reactions: {
        async prove(ref) {
          await h().channels.react(target(), ref, "👍");
          await waitUntil(
            () => observed("reactions", f().reactions).some((reaction) => reaction.messageId === ref.messageId && reaction.emoji === "👍"),
            "the platform to add the reaction",
          );
        },
        attempt: (ref) => h().channels.react(target(), ref, "👍"),
      },
      typing: {
        async prove(ref) {
          await h().channels.typing(target(), { chatId: ref.chatId });
          await waitUntil(
            () => observed("typing", f().typings).some((typing) => typing.chatId === ref.chatId),
            "the platform to show typing",
          );
        },
        attempt: (ref) => h().channels.typing(target(), { chatId: ref.chatId }),
      },
      polls: {
        async prove(ref) {
          const question = `lunch? ${unique("text")}`;
          const result = await h().call("poll", {
            channel: h().driverId,
            accountId: h().accountId,
            to: ref.chatId,
            question,
            options: ["pizza", "soup"],
            idempotencyKey: unique("poll"),
          });
          assert.ok(result.pollId, "the poll RPC returns a pollId");
          await waitUntil(
            () =>
              observed("polls", f().polls).some(
                (poll) => poll.chatId === ref.chatId && poll.question === question && poll.options.length === 2,
              ),
            "the platform to create the poll",
          );
        },
        attempt: (ref) => h().channels.poll(target(), { chatId: ref.chatId, question: "q", options: ["a", "b"] }),
      },
      threads: {
        async prove(ref) {
          const threadId = unique("thread");
          const text = `in a thread ${unique("text")}`;
          await send(ref.chatId, text, { threadId });
          await waitUntil(
            () =>
              f()
                .sent()
                .some((message) => message.text === text),
            "the threaded message to arrive",
          );
          assert.equal(
            f()
              .sent()
              .find((message) => message.text === text)?.threadId,
            threadId,
          );
          if (!group) return;
          const inbound = `threaded ${unique("text")}`;
          const chatId = unique("group");
          const senderId = unique("user");
          const landed = await inject({ chatType: group, chatId, senderId, text: inbound, mentionBot: true, threadId });
          const event = await h().waitForEvent((e) => e.message.text.includes(inbound), timeoutMs);
          assert.equal(event.message.threadId, threadId);
          assert.equal(
            event.sessionKey,
            channelSessionKey({
              channel: h().driverId,
              accountId: h().accountId,
              chatType: group,
              chatId: landed.chatId,
              senderId: landed.senderId,
              threadId,
            }),
          );
        },
        attempt: (ref) => send(ref.chatId, "x", { threadId: "t-1" }),
      },
      media: {
        async prove(ref) {
          const url = `https://example.com/${unique("image")}.png`;
          await send(ref.chatId, `a picture ${unique("text")}`, { mediaUrl: url });
          await waitUntil(
            () =>
              f()
                .sent()
                .some(
                  (message) => message.chatId === ref.chatId && message.attachments?.some((attachment) => attachment.url === url) === true,
                ),
            "the platform to receive the attachment",
          );
        },
        attempt: (ref) => send(ref.chatId, "x", { mediaUrl: "https://example.com/x.png" }),
      },
    };
    const sentRef = async (): Promise<Ref> => {
      const chatId = await chat("chat");
      const result = await send(chatId, `capability check ${unique("text")}`);
      return { chatId, messageId: result.messageId as string };
    };
    for (const name of CAPABILITY_NAMES) {
      if (capabilities[name] === true) {
        test(`capability ${name}: declared, and proven on the platform`, async () => proofs[name].prove(await sentRef()));
      } else {
        test(`capability ${name}: not declared, so the core refuses it`, async () => {
          await assert.rejects(
            proofs[name].attempt(await sentRef()),
            (error: { code?: string }) => error.code === "TALON_CHANNEL_NOT_SUPPORTED",
          );
        });
      }
    }

    if (fake.dropConnections)
      test("reconnects after the platform drops the connection", async () => {
        const before = (await status()).reconnectAttempts;
        await f().dropConnections!();
        await waitUntil(async () => {
          const entry = await status();
          return entry.reconnectAttempts > before && entry.connected === true && entry.lifecycle === "ready";
        }, "the account to reconnect");
        const chatType = dmType;
        const text = `after reconnect ${unique("text")}`;
        await inject({ chatType, chatId: unique("chat"), senderId: unique("user"), text, mentionBot: true });
        await h().waitForEvent((e) => e.message.text === text, timeoutMs);
      });

    options.additionalTests?.(context);

    test("stops cleanly: nothing of the driver keeps running", async () => {
      const url = h().httpUrl;
      await h().stop();
      if (f().openConnections) await waitUntil(() => f().openConnections!() === 0, "the driver's connections to close");
      if (url) await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2_000) }), "the host's port is closed");
    });
  });
}
