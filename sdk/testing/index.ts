/**
 * @talon/sdk/testing — the test kit for plugin and driver authors, bundled or third party:
 * a real host for a plugin's tests (`createTestHost`), table-driven detector cases
 * (`testDetector`), the channel driver conformance suite (`testChannelDriver`, one module per
 * capability under conformance/), the fake-platform contract it drives, and `runTalon` for a
 * plugin's CLI commands. The kit never imports the host: the host hands itself in
 * (`provideTestHost`; Talon's runner preloads core/testing/register.ts).
 * @module
 */
export { CONFORMANCE_RUNTIME, testChannelDriver, type ConformanceContext, type ConformanceOptions } from "./conformance/index.ts";
export { checkFindings, testDetector, type DetectorCase, type DetectorExpectation, type DetectorTestOptions } from "./detector.ts";
export type { ChannelMessageEvent, DriverHarness, HarnessFactory, HarnessOptions } from "./driver-harness.ts";
export type { FakeInbound, FakePlatform, FakeSent, InjectedMessage } from "./fake-platform.ts";
export { provideTestHost, runTalon, testHostProvider, type CliRun, type TestHostProvider } from "./provider.ts";
export { createTestHost, type TestHost, type TestHostEvent, type TestHostOptions } from "./test-host.ts";
