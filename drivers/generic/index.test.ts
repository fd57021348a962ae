import assert from "node:assert/strict";
import { test } from "node:test";
import type { DriverContext } from "@talon/sdk";
import generic, { configSchema } from "./index.ts";

function contextFor(config: Record<string, unknown>, dedupeTtlMs: number): DriverContext<any> {
  const routes: unknown[] = [];
  return {
    driverId: "generic",
    accountId: "default",
    config: configSchema.parse({ secret: "0123456789abcdef0123", ...config }),
    dedupeTtlMs,
    signal: new AbortController().signal,
    registerHttpRoute: (route: unknown) => routes.push(route),
  } as unknown as DriverContext<any>;
}

test("a replay window longer than the dedupe window is refused, naming both settings", () => {
  assert.throws(
    () => generic.channelDriver.create(contextFor({ replayWindowSecs: 3600 }, 300_000)),
    (error: Error) => /replayWindowSecs/.test(error.message) && /runtime\.dedupeTtlMs/.test(error.message),
  );
  assert.throws(
    () => generic.channelDriver.create(contextFor({}, 60_000)),
    /replayWindowSecs \(240\)/,
    "the default window with a shortened dedupe window",
  );
  assert.doesNotThrow(() => generic.channelDriver.create(contextFor({}, 300_000)), "defaults fit: 240 s + 60 s skew = 300 s");
  assert.doesNotThrow(() => generic.channelDriver.create(contextFor({ replayWindowSecs: 3600 }, 3_660_000)));
});
