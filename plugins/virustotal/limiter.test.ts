import assert from "node:assert/strict";
import { test } from "node:test";
import type { Store } from "@talon/sdk";
import { RateLimiter } from "./limiter.ts";

/** Just enough of a Store for the limiter, with a real await between read and write. */
function slowStore(): { store: Store; values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
  const store = {
    async get(key: string) {
      await tick();
      return values.get(key);
    },
    async set(key: string, value: unknown) {
      await tick();
      values.set(key, value);
    },
  } as unknown as Store;
  return { store, values };
}

test("concurrent takes cannot overrun the minute window", async () => {
  const { store } = slowStore();
  const limiter = new RateLimiter(store, { perMinute: 4, perDay: 500 });
  const now = Date.UTC(2024, 0, 1, 12);
  const results = await Promise.all(Array.from({ length: 12 }, () => limiter.take(now)));
  assert.equal(results.filter((r) => r.ok).length, 4);
});

test("concurrent takes never lose a daily-counter update, and a day refusal frees the minute slot", async () => {
  const { store, values } = slowStore();
  const limiter = new RateLimiter(store, { perMinute: 100, perDay: 5 });
  const now = Date.UTC(2024, 0, 1, 12);
  const results = await Promise.all(Array.from({ length: 8 }, () => limiter.take(now)));
  assert.equal(results.filter((r) => r.ok).length, 5);
  assert.equal(values.get("quota:2024-01-01"), 5);
  // The three refused by the day did not keep minute slots: raise the day quota and 95 more fit.
  limiter.configure({ perMinute: 100, perDay: 1000 });
  const more = await Promise.all(Array.from({ length: 96 }, () => limiter.take(now)));
  assert.equal(more.filter((r) => r.ok).length, 95);
  assert.equal(values.get("quota:2024-01-01"), 100);
});
