/**
 * Shared set-up of the Slack driver's own tests: the fake Slack on loopback and a real Talon host
 * (through `@talon/sdk/testing`'s createTestHost, with its port) loading this driver by path.
 */
import assert from "node:assert/strict";
import { after } from "node:test";
import { createTestHost, type TestHost } from "@talon/sdk/testing";
import { createFakeSlack, type FakeSlack, type FakeSlackOptions } from "../../test/fakes/slack/index.ts";

/** Short retries and reconnects, so failure paths run in milliseconds. */
export const FAST_RUNTIME = {
  retry: { retries: 3, minDelayMs: 20, maxDelayMs: 200, maxTotalMs: 10_000 },
  reconnect: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 300, jitter: 0 },
};

export interface SlackTestHost {
  fake: FakeSlack;
  host: TestHost;
  /** The default account's `channels.status` entry. */
  status(): Promise<Record<string, any>>;
  /** The `channel.message` events so far. */
  messages(): any[];
  /** The first `channel.message` event matching. */
  message(predicate: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Start the fake and a host with the Slack driver pointed at it; both stop after the test file. */
export async function startSlackHost(
  options: {
    fake?: FakeSlackOptions;
    config?: Record<string, unknown>;
    runtime?: Record<string, unknown>;
    bundled?: string[];
    /** More plugin modules to load (test fixtures). */
    plugins?: string[];
    /** Wait for the account to be connected (default true). */
    connected?: boolean;
  } = {},
): Promise<SlackTestHost> {
  const fake = createFakeSlack(options.fake);
  await fake.start();
  after(() => fake.stop());
  const host = await createTestHost({
    plugins: [new URL("./index.ts", import.meta.url), ...(options.plugins ?? [])],
    bundled: options.bundled ?? ["decision-policy"],
    pluginConfig: { slack: { ...fake.driverConfig(), ...options.config, runtime: options.runtime ?? FAST_RUNTIME } },
    gateway: true,
  });
  fake.attach?.({ httpUrl: host.httpUrl, accountId: "default" });
  const status = async () => {
    const overview = await host.call("channels.status", {});
    return overview.channelAccounts.slack?.find((entry: { accountId: string }) => entry.accountId === "default");
  };
  if (options.connected !== false) await until(async () => (await status())?.connected === true, "the Slack account to connect");
  const messages = () =>
    host
      .events()
      .filter((event) => event.event === "channel.message")
      .map((event) => event.payload);
  return {
    fake,
    host,
    status,
    messages,
    message: async (predicate, timeoutMs = 10_000) =>
      (await host.waitForEvent((event) => event.event === "channel.message" && predicate(event.payload), timeoutMs)).payload,
  };
}
