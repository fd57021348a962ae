import assert from "node:assert/strict";
import { test } from "node:test";
import { LruMap } from "./lru.ts";

test("evicts the least recently used entry beyond the bound", () => {
  const evicted: string[] = [];
  const map = new LruMap<string, number>(2, (key) => evicted.push(key));
  map.set("a", 1).set("b", 2);
  assert.equal(map.get("a"), 1, "get refreshes a");
  map.set("c", 3);
  assert.deepEqual(evicted, ["b"]);
  assert.deepEqual(
    [...map.entries()].map(([key]) => key),
    ["a", "c"],
  );
  assert.equal(map.peek("a"), 1);
  assert.equal(map.size, 2);
});

test("prune removes what the predicate selects", () => {
  const map = new LruMap<string, number>(10);
  for (let i = 0; i < 5; i++) map.set(`k${i}`, i);
  assert.equal(
    map.prune((_key, value) => value % 2 === 0),
    3,
  );
  assert.deepEqual(
    [...map.entries()].map(([key]) => key),
    ["k1", "k3"],
  );
  assert.throws(() => new LruMap(0), RangeError);
});
