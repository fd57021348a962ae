/**
 * Shared set-up of the Discord driver's tests: the fake Discord on loopback and a real Talon host
 * (createTestHost from @talon/sdk/testing) loading the driver from this folder with the fake's
 * config and short runtime delays, plus small waiting helpers.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { createTestHost, type TestHost } from "@talon/sdk/testing";
import { createFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from "../../test/fakes/discord/index.ts";

export const DRIVER = fileURLToPath(new URL("./index.ts", import.meta.url));

/** Retries and reconnects after a few ms, so failure paths run quickly. */
export const FAST_RUNTIME = {
  retry: { retries: 3, minDelayMs: 10, maxDelayMs: 100, maxTotalMs: 10_000 },
  reconnect: { maxAttempts: 20, initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
  startTimeoutMs: 5_000,
};

export interface DiscordHostOptions {
  fake?: FakeDiscordOptions;
  /** Account settings laid over the fake's config. */
  config?: Record<string, unknown>;
  runtime?: Record<string, unknown>;
  /** Bundled plugins besides the driver (default: decision-policy). */
  bundled?: string[];
  /** Other plugin modules to load (fixtures). */
  plugins?: string[];
  pluginConfig?: Record<string, unknown>;
  hostConfig?: Record<string, unknown>;
  /** Serve on a port (for WebSocket clients). */
  gateway?: boolean;
  /** Start the fake here instead of a new one. */
  using?: FakeDiscord;
}

export interface DiscordHost {
  host: TestHost;
  fake: FakeDiscord;
  /** This account's channels.status entry. */
  account(): Promise<Record<string, any>>;
  /** `channel.message` payloads so far. */
  messages(): any[];
  /** Wait for the first `channel.message` whose payload matches. */
  message(predicate: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
}

export async function discordHost(t: TestContext, options: DiscordHostOptions = {}): Promise<DiscordHost> {
  const fake = options.using ?? createFakeDiscord({ heartbeatIntervalMs: 1_000, ...options.fake });
  if (!options.using) {
    await fake.start();
    t.after(() => fake.stop());
  }
  const host = await createTestHost({
    plugins: [DRIVER, ...(options.plugins ?? [])],
    bundled: options.bundled ?? ["decision-policy"],
    gateway: options.gateway ?? false,
    autoStop: false,
    ...(options.hostConfig ? { config: options.hostConfig } : {}),
    pluginConfig: {
      ...options.pluginConfig,
      discord: { ...fake.driverConfig(), invalidSessionWaitMs: 100, ...options.config, runtime: { ...FAST_RUNTIME, ...options.runtime } },
    },
  });
  t.after(() => host.stop());
  const account = async () => ((await host.call("channels.status", {})) as any).channelAccounts.discord?.[0] ?? {};
  const messages = () =>
    host
      .events()
      .filter((event) => event.event === "channel.message")
      .map((event) => event.payload);
  return {
    host,
    fake,
    account,
    messages,
    async message(predicate, timeoutMs = 10_000) {
      return (await host.waitForEvent((event) => event.event === "channel.message" && predicate(event.payload), timeoutMs)).payload;
    },
  };
}

/** Wait until `check` holds, or fail naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Wait until the account is connected and ready. */
export async function ready(discord: DiscordHost, what = "the account to be connected"): Promise<void> {
  await until(async () => {
    const account = await discord.account();
    return account.connected === true && account.lifecycle === "ready";
  }, what);
}
