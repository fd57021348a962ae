/**
 * How the kit reaches a host. The SDK never imports one: the host hands its test host in, once,
 * before the tests load. Talon's runner does this with `node --import ./core/testing/register.ts`
 * (scripts/run-tests.mjs); a third party runs `node --import talon/core/testing/register.ts
 * --test`, or calls {@link provideTestHost} with Talon's provider in a setup file.
 */
import type { DriverHarness, HarnessOptions } from "./driver-harness.ts";
import type { TestHost, TestHostOptions } from "./test-host.ts";

/** What a host offers the kit. */
export interface TestHostProvider {
  /** Start a real host (no gateway unless asked, in-memory store) with the given plugins. */
  createHost(options: TestHostOptions): Promise<TestHost>;
  /** Start a real host with one channel driver configured for one account (the conformance suite). */
  createDriverHarness(options: HarnessOptions): Promise<DriverHarness>;
  /** Run the `talon` command line in process; resolves with its exit code and output. */
  runCli(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
}

/** What a `talon` invocation printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

// On globalThis, so a plugin that loaded its own copy of the SDK still finds the host's provider.
const SLOT = Symbol.for("talon.test-host-provider");

/** Hand the kit a host (called once by the host's register module). */
export function provideTestHost(provider: TestHostProvider): void {
  (globalThis as Record<symbol, unknown>)[SLOT] = provider;
}

/** The provider the host handed in; throws with what to do when none was. */
export function testHostProvider(): TestHostProvider {
  const provider = (globalThis as Record<symbol, unknown>)[SLOT] as TestHostProvider | undefined;
  if (!provider)
    throw new Error(
      "[talon] no test host: run the tests with `node --import <talon>/core/testing/register.ts --test` (npm test does), or call provideTestHost() with Talon's provider first",
    );
  return provider;
}

/** Run `talon <argv>` in process (a plugin's own commands included). */
export function runTalon(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return testHostProvider().runCli(argv, options);
}
