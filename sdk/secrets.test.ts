import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackAddress, secretsEqual } from "./secrets.ts";

test("secretsEqual: equal strings only, any lengths", () => {
  assert.equal(secretsEqual("abc", "abc"), true);
  assert.equal(secretsEqual("abc", "abd"), false);
  assert.equal(secretsEqual("", "abc"), false);
  assert.equal(secretsEqual("x".repeat(10_000), "x"), false);
});

test("isLoopbackAddress: 127/8, ::1 and mapped forms; nothing else", () => {
  for (const address of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of [undefined, "", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "1.127.0.0"])
    assert.equal(isLoopbackAddress(address), false, String(address));
});
