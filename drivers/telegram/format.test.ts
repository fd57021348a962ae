// Escaping: any text, escaped for MarkdownV2 or HTML, is shown by Telegram exactly as written
// (checked with the fake's parser, which refuses what Telegram refuses); unescaped text is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ParseError, renderHtml, renderMarkdownV2 } from "./fake/markup.ts";
import { escapeHtml, escapeMarkdownV2, formatText } from "./format.ts";

const tricky = fc.string({ unit: fc.constantFrom(..."_*[]()~`>#+-=|{}.!\\<>&;\"' aZ9😀\n"), maxLength: 60 });

test("escaped MarkdownV2 renders as the original text, for any text", () => {
  fc.assert(fc.property(fc.oneof(tricky, fc.string()), (text) => renderMarkdownV2(escapeMarkdownV2(text)) === text));
});

test("escaped HTML renders as the original text, for any text", () => {
  fc.assert(fc.property(fc.oneof(tricky, fc.string()), (text) => renderHtml(escapeHtml(text)) === text));
});

test("unescaped reserved characters are refused as Telegram refuses them", () => {
  assert.throws(() => renderMarkdownV2("v1.2 is out!"), ParseError);
  assert.throws(() => renderHtml("a < b"), ParseError);
  assert.throws(() => renderHtml("<script>x</script>"), ParseError);
  assert.equal(renderMarkdownV2("*bold* and \\*not\\*"), "bold and *not*");
  assert.equal(renderHtml("<b>x</b> &amp; y"), "x & y");
});

test("plain text by default: no parse_mode, text untouched", () => {
  assert.deepEqual(formatText("*not bold* <b>", "none"), { text: "*not bold* <b>" });
  assert.deepEqual(formatText("1.5", "MarkdownV2"), { text: "1\\.5", parse_mode: "MarkdownV2" });
  assert.deepEqual(formatText("a<b", "HTML"), { text: "a&lt;b", parse_mode: "HTML" });
});
