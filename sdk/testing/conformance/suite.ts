/**
 * What every conformance module gets: the running harness and fake, the driver's declared
 * capabilities, and the helpers the checks share (send and wait, open a chat, inject, poll).
 */
import assert from "node:assert/strict";
import type { ChatType } from "../../action.ts";
import type { DriverCapabilities } from "../../driver.ts";
import type { DriverHarness } from "../driver-harness.ts";
import type { FakeInbound, FakePlatform, InjectedMessage } from "../fake-platform.ts";

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

/** The shared state and helpers of one suite run. */
export interface Suite extends ConformanceContext {
  readonly capabilities: DriverCapabilities;
  /** The first non-direct chat type the driver declares, if any. */
  readonly group: ChatType | undefined;
  /** The chat type used for one-to-one checks. */
  readonly dmType: ChatType;
  readonly timeoutMs: number;
  /** The driver's text limit and line limit, read from `channels.status` once the harness runs. */
  readonly limits: { text: number; lines: number };
  /** The fake as built (before the harness starts), to read which optional controls it has. */
  readonly platform: FakePlatform;
  status(): Promise<Record<string, any>>;
  target(): { channel: string; accountId: string };
  /** Send and wait until the platform has every chunk (a local platform delivers asynchronously). */
  send(chatId: string, message: string, extra?: Record<string, unknown>): Promise<any>;
  /** A chat the bot may send to (platforms such as webchat issue their own ids). */
  chat(hint: string): Promise<string>;
  /** Inject and return where the message landed. */
  inject(message: FakeInbound): Promise<InjectedMessage>;
}

export function contentOf(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Words up to exactly `length` characters, ending in a non-space. */
export function textOfLength(length: number, seed: string): string {
  let text = `${seed} `;
  while (text.length < length) text += "lorem ipsum dolor sit amet ";
  text = text.slice(0, length);
  return `${text
    .slice(0, -1)
    .trimEnd()
    .padEnd(length - 1, "x")}z`;
}

/** Build the suite over a harness that starts later. */
export function createSuite(options: {
  capabilities: DriverCapabilities;
  fake: FakePlatform;
  timeoutMs: number;
  harness: () => DriverHarness | undefined;
}): Suite {
  const { capabilities, fake, timeoutMs } = options;
  let counter = 0;
  const limits = { text: 4000, lines: 0 };
  const suite: Suite = {
    capabilities,
    group: capabilities.chatTypes.find((type) => type !== "direct"),
    dmType: capabilities.chatTypes.includes("direct") ? "direct" : capabilities.chatTypes[0]!,
    timeoutMs,
    limits,
    platform: fake,
    harness: () => options.harness() ?? assert.fail("the harness did not start"),
    fake: () => fake,
    unique: (prefix) => `${prefix}-${process.pid}-${++counter}`,
    async waitUntil(check, what, limit = timeoutMs) {
      const deadline = performance.now() + limit;
      while (!(await check())) {
        if (performance.now() > deadline) assert.fail(`timed out after ${limit} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    status: () => suite.harness().accountStatus(),
    target: () => ({ channel: suite.harness().driverId, accountId: suite.harness().accountId }),
    async send(chatId, message, extra = {}) {
      const h = suite.harness();
      const result = await h.call("send", {
        channel: h.driverId,
        accountId: h.accountId,
        to: chatId,
        message,
        idempotencyKey: suite.unique("send"),
        ...extra,
      });
      const last = (result.messageIds as string[]).at(-1);
      if (last !== undefined)
        await suite.waitUntil(() => fake.sent().some((sent) => sent.messageId === last), `the platform to receive message ${last}`);
      return result;
    },
    chat: async (hint) => (fake.openChat ? fake.openChat(suite.unique(hint)) : suite.unique(hint)),
    async inject(message) {
      const result = await fake.inject(message);
      return typeof result === "string" ? { id: result, chatId: message.chatId, senderId: message.senderId } : result;
    },
  };
  return suite;
}
