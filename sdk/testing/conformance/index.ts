/**
 * `testChannelDriver`: the one conformance suite every channel driver passes, bundled or third
 * party. It loads the driver into a real Talon host (through `plugins.load`, as a user's config
 * would), points it at the author's fake platform, and checks what users rely on, one module per
 * concern: lifecycle (start, reconnect, stop), inbound (normalisation, session keys, mention
 * gating, dedupe, echo suppression, oversized input), sending (limits, chunking), failures (429,
 * 5xx) and capabilities/ (proof of every capability the driver declares, a refusal for every
 * one it does not).
 */
import { after, before, describe } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isChannelDriverPlugin } from "../../driver.ts";
import type { DriverHarness, HarnessFactory } from "../driver-harness.ts";
import type { FakePlatform } from "../fake-platform.ts";
import { testHostProvider } from "../provider.ts";
import { registerCapabilities } from "./capabilities/index.ts";
import { registerFailures } from "./failures.ts";
import { registerInbound } from "./inbound.ts";
import { registerReconnect, registerStart, registerStop } from "./lifecycle.ts";
import { registerSending } from "./sending.ts";
import { CONFORMANCE_RUNTIME, createSuite, type ConformanceContext } from "./suite.ts";

export { CONFORMANCE_RUNTIME, type ConformanceContext } from "./suite.ts";

export interface ConformanceOptions {
  /** The driver module (path or file URL) whose default export is `defineChannelDriver(...)`. */
  driver: string | URL;
  /** Build the fake platform (called once). */
  fake: () => FakePlatform;
  /** The host harness; default: the one the host handed in (`provideTestHost`). */
  harness?: HarnessFactory;
  accountId?: string;
  /** Driver-specific tests, run against the same driver after the shared ones. */
  additionalTests?: (context: ConformanceContext) => void;
  /** How long to wait for any condition (ms); default 10,000. */
  timeoutMs?: number;
}

/**
 * Register the conformance suite for one driver with node:test. Await it at the top of the test
 * file: it reads the driver's declared capabilities first, so only the checks that apply to the
 * driver and its platform are registered (no skipped tests).
 */
export async function testChannelDriver(options: ConformanceOptions): Promise<void> {
  const driverPath =
    options.driver instanceof URL || String(options.driver).startsWith("file:") ? fileURLToPath(options.driver) : String(options.driver);
  const plugin = ((await import(pathToFileURL(driverPath).href)) as { default?: unknown }).default;
  if (!isChannelDriverPlugin(plugin)) throw new Error(`[talon] ${driverPath} does not default-export defineChannelDriver({...})`);
  let harness: DriverHarness | undefined;
  // Built now (not started) so the suite knows which optional controls the platform has.
  const fake: FakePlatform = options.fake();
  const suite = createSuite({
    capabilities: plugin.channelDriver.capabilities,
    fake,
    timeoutMs: options.timeoutMs ?? 10_000,
    harness: () => harness,
  });

  describe(`channel driver conformance: ${driverPath}`, () => {
    before(async () => {
      await fake.start();
      const factory = options.harness ?? testHostProvider().createDriverHarness;
      harness = await factory({
        driverModule: driverPath,
        config: fake.driverConfig(),
        runtime: { ...CONFORMANCE_RUNTIME },
        accountId: options.accountId,
      });
      fake.attach?.({ httpUrl: harness.httpUrl, accountId: harness.accountId });
      const overview = await harness.call("channels.status", {});
      suite.limits.text = overview.channels[harness.driverId].limits.textChunkLimit;
      suite.limits.lines = overview.channels[harness.driverId].limits.maxLinesPerMessage ?? 0;
    });
    after(async () => {
      await harness?.stop();
      await fake.stop();
    });

    registerStart(suite);
    registerInbound(suite);
    registerSending(suite);
    registerFailures(suite);
    registerCapabilities(suite);
    registerReconnect(suite);
    options.additionalTests?.(suite);
    registerStop(suite);
  });
}
