/**
 * @talon/sdk/testing — test kits for plugin and driver authors: the channel driver conformance
 * suite (`testChannelDriver`), the fake-platform contract it drives, and the harness contract
 * through which it runs a driver inside a real Talon host.
 * @module
 */
export { CONFORMANCE_RUNTIME, testChannelDriver, type ConformanceContext, type ConformanceOptions } from "./conformance.ts";
export type { FakeInbound, FakePlatform, FakeSent, InjectedMessage } from "./fake-platform.ts";
export { loadHarnessFactory, type ChannelMessageEvent, type DriverHarness, type HarnessFactory, type HarnessOptions } from "./harness.ts";
