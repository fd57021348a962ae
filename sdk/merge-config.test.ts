import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeConfig } from "./config.ts";

test("mergeConfig merges plain objects key by key, replaces arrays and scalars, changes neither input", () => {
  const base = {
    gateway: { token: "a", server: { bind: "127.0.0.1:0", reload_interval_secs: 5 } },
    plugins: { builtin: ["x", "y"] },
    log: { level: "info" },
  };
  const extra = { gateway: { server: { reload_interval_secs: 0 } }, plugins: { builtin: ["z"] }, log: "silent" };
  const snapshot = JSON.stringify([base, extra]);
  assert.deepEqual(mergeConfig(base, extra), {
    gateway: { token: "a", server: { bind: "127.0.0.1:0", reload_interval_secs: 0 } },
    plugins: { builtin: ["z"] },
    log: "silent",
  });
  assert.equal(JSON.stringify([base, extra]), snapshot);
  assert.deepEqual(mergeConfig({ a: 1 }, { a: null }), { a: null }, "null replaces, it is not an object to merge");
});
