import assert from "node:assert/strict";
import { test } from "node:test";
import { createNamespacedStore } from "../../core/state/namespaced-store.ts";
import { openStoreBackend } from "../../core/state/open-store.ts";
import { startRedis } from "../helpers/redis-server.ts";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";

test("state.url = redis://… gives plugins the same Store semantics on a real Redis server", async () => {
  const redis = await startRedis();
  const backend = await openStoreBackend(redis.url, await tempDir());
  assert.equal(backend.kind, "redis");
  const store = createNamespacedStore(backend, "plugin");
  await store.set("a", { v: 1 });
  await store.setMany([
    { key: "b", value: 2 },
    { key: "c", value: 3, ttlMs: 60_000 },
  ]);
  await createNamespacedStore(backend, "other").set("a", "not mine");
  assert.deepEqual(await store.getMany(["a", "b", "c", "d"]), [{ v: 1 }, 2, 3, undefined]);
  const entries: Record<string, unknown> = {};
  for await (const [key, value] of store.entries()) entries[key] = value;
  assert.deepEqual(entries, { a: { v: 1 }, b: 2, c: 3 });
  await store.deleteMany(["a", "b"]);
  assert.equal(await store.has("a"), false);
  await store.clear();
  assert.equal(await store.get("c"), undefined);
  assert.equal(await createNamespacedStore(backend, "other").get("a"), "not mine");
  await backend.close();
});

test("two hosts on one Redis share state, and a stopped server is reported at start-up", async () => {
  const redis = await startRedis();
  const first = await startTestHost({ state: { url: redis.url }, plugins: { builtin: ["decision-policy"] } }, { gateway: false });
  await createNamespacedStore(first.host.store, "shared").set("k", "from host one");
  const second = await startTestHost({ state: { url: redis.url }, plugins: { builtin: ["decision-policy"] } }, { gateway: false });
  assert.equal(await createNamespacedStore(second.host.store, "shared").get("k"), "from host one");
  await first.stop();
  await second.stop();
  await redis.stop();
  await assert.rejects(startTestHost({ state: { url: redis.url } }, { gateway: false }), { code: "TALON_STATE_UNREACHABLE" });
});

test("a Redis prefix scan matches the prefix literally (glob characters included) and walks every SCAN page", async () => {
  const redis = await startRedis();
  const backend = await openStoreBackend(redis.url, await tempDir());
  await backend.setMany([
    { key: "a*:k", value: "star" },
    { key: "ab:k", value: "plain" },
    { key: "[x]:k", value: "bracket" },
    { key: "x:k", value: "x" },
  ]);
  const read = async (prefix: string) => {
    const out: Record<string, unknown> = {};
    for await (const [key, value] of backend.scan(prefix)) out[key] = value;
    return out;
  };
  assert.deepEqual(await read("a*"), { "a*:k": "star" }, "a* must not match ab");
  assert.deepEqual(await read("[x]"), { "[x]:k": "bracket" }, "[x] must not match x");
  // More keys than one SCAN call returns, through a plugin's namespace.
  const many = createNamespacedStore(backend, "many");
  for (let i = 0; i < 2500; i += 500) await many.setMany(Array.from({ length: 500 }, (_, j) => ({ key: `k${i + j}`, value: i + j })));
  let count = 0;
  for await (const [key, value] of many.entries<number>()) if (key === `k${value}`) count++;
  assert.equal(count, 2500);
  await backend.clearPrefix("a*");
  assert.deepEqual(await read("a"), { "ab:k": "plain" }, "clearing a* leaves ab alone");
  await backend.close();
});
