import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Action } from "@talon/sdk";
import { IdempotencyCache } from "../../core/defender/idempotency.ts";

const action = (id: string, digest = "d") => ({ id, digest }) as Action;
const decision = { action: "allow" as const, risk_score: 0, reasons: [], tags: [], source: "talon" };

describe("idempotency cache order and bounds", () => {
  test("a stored-again id becomes the youngest: the bound evicts the others first", () => {
    const cache = new IdempotencyCache();
    for (let i = 0; i < 32; i++) cache.store(action(`k${i}`), decision, 0, 300, 32);
    cache.store(action("k0", "new"), decision, 0, 300, 32);
    cache.store(action("extra"), decision, 0, 300, 32);
    assert.equal(cache.size, 32);
    assert.equal(cache.lookup(action("k0", "new"), 0).kind, "hit", "k0 was stored again, so k1 went first");
    assert.equal(cache.lookup(action("k1"), 0).kind, "miss");
    assert.equal(cache.lookup(action("k2"), 0).kind, "hit");
  });

  test("expiry follows store order, including ids stored again", () => {
    const cache = new IdempotencyCache();
    cache.store(action("a"), decision, 0, 10, 32);
    cache.store(action("b"), decision, 5000, 10, 32);
    cache.store(action("a"), decision, 6000, 10, 32);
    assert.equal(cache.lookup(action("a"), 12_000).kind, "hit", "the second store of a set its expiry");
    assert.equal(cache.lookup(action("b"), 15_000).kind, "miss");
    assert.equal(cache.size, 1);
    assert.equal(cache.lookup(action("a"), 16_000).kind, "miss");
    assert.equal(cache.size, 0);
  });

  test("many stores of few ids, and many distinct ids, stay within the bound and answer correctly", () => {
    const cache = new IdempotencyCache();
    for (let i = 0; i < 50_000; i++) cache.store(action(`same-${i % 3}`, `d${i}`), decision, i, 300, 32);
    assert.equal(cache.size, 3);
    assert.equal(cache.lookup(action("same-2", "d49997"), 50_000).kind, "hit");
    assert.equal(cache.lookup(action("same-2", "d49994"), 50_000).kind, "conflict");
    for (let i = 0; i < 50_000; i++) {
      cache.store(action(`u${i}`), decision, 60_000, 300, 100);
      if (i % 997 === 0) assert.equal(cache.lookup(action(`u${i}`), 60_000).kind, "hit");
    }
    assert.equal(cache.size, 100);
    assert.equal(cache.lookup(action("u49899"), 60_000).kind, "miss");
    assert.equal(cache.lookup(action("u49900"), 60_000).kind, "hit");
    assert.equal(cache.lookup(action("same-0"), 60_000).kind, "miss");
  });
});
