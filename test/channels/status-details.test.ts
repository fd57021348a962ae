// channels.status per account: the core's rate-limit state (a platform's retry-after pausing the
// account, counted) and the driver's own details, which a throwing status() cannot break.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestHost } from "../helpers/host.ts";

const STATUS_DRIVER = fileURLToPath(new URL("./fixtures/status-driver/index.ts", import.meta.url));

test("channels.status shows the account's rate-limit state and the driver's own details", async () => {
  const { host } = await startTestHost(
    {
      plugins: {
        builtin: ["decision-policy"],
        load: [STATUS_DRIVER],
        entries: { "status-driver": { config: { runtime: { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxTotalMs: 5_000 } } } } },
      },
    },
    { gateway: false },
  );
  const account = async () => ((await host.call("channels.status", {})) as any).channelAccounts["status-driver"][0];
  const before = await account();
  assert.deepEqual(before.rateLimit, { limited: false, pausedForMs: 0, waiting: 0, hits: 0 });
  assert.deepEqual(before.details, { session: "s-1", refused: 0 });
  assert.equal(before.counters.rateLimited, 0);

  const sending = host.call("send", { channel: "status-driver", to: "u1", message: "hi", idempotencyKey: "k1" });
  // The refused attempt pauses the account for the platform's 400 ms.
  let paused: any;
  const deadline = performance.now() + 2_000;
  while (performance.now() < deadline) {
    paused = await account();
    if (paused.rateLimit.limited) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(paused.rateLimit.limited, true);
  assert.ok(paused.rateLimit.pausedForMs > 0 && paused.rateLimit.pausedForMs <= 400, `paused ${paused.rateLimit.pausedForMs} ms`);
  await sending;
  const after = await account();
  assert.equal(after.counters.rateLimited, 1);
  assert.equal(after.rateLimit.hits, 1);
  assert.equal(after.lastRetryAfterMs, 400);
  assert.equal(typeof after.lastRateLimitAt, "number");
  assert.deepEqual(after.details, { session: "s-1", refused: 1 });

  (globalThis as { __talonStatusDriverFails?: boolean }).__talonStatusDriverFails = true;
  try {
    assert.deepEqual((await account()).details, { error: "status() failed: boom" });
  } finally {
    (globalThis as { __talonStatusDriverFails?: boolean }).__talonStatusDriverFails = false;
  }
});
