import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { byteLength, charLength, clamp, nameParam, norm, optionalText, sanitizeMessage, truncate } from "./text.ts";

test("lengths are UTF-8 bytes for text() and characters for label checks", () => {
  assert.equal(byteLength("abc"), 3);
  assert.equal(byteLength("é"), 2);
  assert.equal(byteLength("😀"), 4);
  assert.equal(charLength("😀é"), 2);
});

test("truncate cuts at a character boundary and appends ...", () => {
  assert.equal(truncate("hello", 5), "hello");
  assert.equal(truncate("hello!", 5), "hello...");
  assert.equal(truncate("ééé", 5), "éé...", "never splits a two-byte character");
  assert.equal(truncate("😀😀", 5), "😀...");
});

test("optionalText trims, drops blanks and cuts", () => {
  assert.equal(optionalText(undefined, 10), undefined);
  assert.equal(optionalText(null, 10), undefined);
  assert.equal(optionalText("   ", 10), undefined);
  assert.equal(optionalText("  hi  ", 10), "hi");
  assert.equal(optionalText("abcdefghijkl", 10), "abcdefghij...");
});

test("name and filter parameters are refused when too long, not cut (seed §8 item 14)", () => {
  assert.equal(nameParam(" slack ", "channel", 128), "slack");
  assert.equal(nameParam("", "channel", 128), undefined);
  assert.throws(() => nameParam("x".repeat(129), "search", 128), /search too long \(max 128 bytes\)/);
});

test("norm trims and ASCII-lowercases only", () => {
  assert.equal(norm("  ALLOW\t"), "allow");
  assert.equal(norm("ÉTÉ"), "ÉtÉ", "only ASCII letters are lowered, as in the seed");
});

test("clamp applies the default and the bounds", () => {
  assert.equal(clamp(undefined, 200, 1, 1000), 200);
  assert.equal(clamp(null, 200, 1, 1000), 200);
  assert.equal(clamp(0, 200, 1, 1000), 1);
  assert.equal(clamp(5000, 200, 1, 1000), 1000);
});

test("chat messages: NUL refused, other control characters removed, NFC", () => {
  assert.throws(() => sanitizeMessage("a\u0000b"), /message must not contain null bytes/);
  assert.equal(sanitizeMessage("a\u0001b\u007fc\td\ne\rf"), "abc\td\ne\rf");
  assert.equal(sanitizeMessage("e\u0301"), "é");
});

/** The original definitions, measured with Buffer.byteLength (lone surrogates count as U+FFFD). */
function referenceTruncate(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, "utf8") <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return `${value.slice(0, end)}...`;
}

test("byteLength and truncate agree with a Buffer.byteLength reference on any string", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: fc.constantFrom("a", "é", "€", "😀", "\ud800", "\udc00"), maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
  );
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 300 }), (value, maxBytes) => {
      assert.equal(byteLength(value), Buffer.byteLength(value, "utf8"));
      assert.equal(truncate(value, maxBytes), referenceTruncate(value, maxBytes));
    }),
    { numRuns: 2000 },
  );
});

test("truncate of a long non-ASCII string cuts at the byte bound", () => {
  const long = "é".repeat(100_000);
  assert.equal(truncate(long, 2048), `${"é".repeat(1024)}...`);
  assert.equal(truncate("😀".repeat(10), 30), `${"😀".repeat(7)}...`);
  assert.equal(truncate("a\ud800b", 4), "a\ud800...", "a lone surrogate counts 3 bytes");
  assert.equal(truncate("a\ud800b", 5), "a\ud800b");
});
