/**
 * The conformance harness `@talon/sdk/testing` runs a driver in: a real Talon host (in-memory
 * store, its own port on 127.0.0.1, the bundled decision policy) that loads the driver from its
 * module path through `plugins.load`, exactly as a user's config would. The SDK cannot import
 * the core: the host hands this factory to the kit (provider.ts, register.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isChannelDriverPlugin, type ChannelsApi } from "@talon/sdk";
import type { ChannelMessageEvent, DriverHarness, HarnessOptions } from "@talon/sdk/testing";
import { CHANNEL_MESSAGE_EVENT } from "../channels/inbound.ts";
import { createHost } from "../host.ts";
import { createSilentLogger } from "../log.ts";
import { listBundledPlugins } from "../loader/resolve.ts";
import { importModule } from "../modules/import-module.ts";
import { waitForMatch } from "./wait.ts";

const POLICY_PLUGIN = "decision-policy";

/** Start a host with the driver at `options.driverModule` configured for one account. */
export async function createDriverHarness(options: HarnessOptions): Promise<DriverHarness> {
  const modulePath = options.driverModule.startsWith("file:") ? fileURLToPath(options.driverModule) : options.driverModule;
  const module = await importModule(modulePath);
  const plugin = module.default;
  if (!isChannelDriverPlugin(plugin)) throw new Error(`${options.driverModule} does not default-export defineChannelDriver({...})`);
  const driverId = plugin.channelDriver.id;
  const accountId = options.accountId ?? "default";
  const dataDir = await mkdtemp(join(tmpdir(), "talon-driver-"));
  const config = options.runtime === undefined ? options.config : { ...(options.config as object), runtime: options.runtime };
  const host = await createHost({
    config: {
      inline: {
        data_dir: dataDir,
        state: { url: "memory" },
        gateway: { token: randomBytes(16).toString("hex"), server: { bind: "127.0.0.1:0", reload_interval_secs: 0 } },
        plugins: {
          builtin: listBundledPlugins().has(POLICY_PLUGIN) ? [POLICY_PLUGIN] : false,
          load: [modulePath],
          entries: { [driverId]: { config: accountId === "default" ? config : { accounts: { [accountId]: config } } } },
        },
        log: { level: "silent" },
      },
      env: {},
      cwd: dataDir,
    },
    log: createSilentLogger(),
  });
  const events: ChannelMessageEvent[] = [];
  const waiters = new Set<() => void>();
  host.events.subscribe((name, payload) => {
    if (name !== CHANNEL_MESSAGE_EVENT) return;
    events.push(payload as ChannelMessageEvent);
    for (const wake of waiters) wake();
  });
  await host.start();
  const address = host.gateway.address();
  const channels: ChannelsApi = host.channels.apiFor("conformance-harness");
  let stopped = false;

  return {
    driverId,
    accountId,
    plugin,
    httpUrl: address ? `http://127.0.0.1:${address.port}` : "",
    channels,
    events: () => events,
    waitForEvent: (predicate, timeoutMs = 10_000) => waitForMatch(events, waiters, predicate, timeoutMs, "channel.message event"),
    call: (method, params) => host.call(method, params) as Promise<any>,
    async accountStatus() {
      const status = (await host.call("channels.status", {})) as { channelAccounts: Record<string, { accountId: string }[]> };
      return (status.channelAccounts[driverId] ?? []).find((entry) => entry.accountId === accountId) as Record<string, any>;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await host.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
