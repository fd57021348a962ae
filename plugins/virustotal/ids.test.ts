import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalUrl, urlId } from "./ids.ts";
import { answeredFinding, failureFinding, statsOf } from "./verdict.ts";

const scores = { malicious: 75, suspicious: 45, unknownUrl: 10, unknownFile: 8 };

test("URL ids are unpadded base64url of the normalised URL", () => {
  assert.equal(canonicalUrl("HTTP://Example.COM:80"), "http://example.com/");
  assert.equal(canonicalUrl("https://example.com/a?b=1#frag"), "https://example.com/a?b=1");
  assert.equal(canonicalUrl("javascript:alert(1)"), undefined);
  assert.equal(canonicalUrl("not a url"), undefined);
  const id = urlId("http://example.com/?x=>>>");
  assert.ok(!id.includes("=") && !id.includes("+") && !id.includes("/"));
  assert.equal(Buffer.from(id, "base64url").toString(), "http://example.com/?x=>>>");
});

test("stats map to the seed's verdicts; an empty analysis is unknown, never clean", () => {
  const stats = (s: Partial<Record<string, number>>) => statsOf({ data: { attributes: { last_analysis_stats: s } } })!;
  assert.deepEqual(answeredFinding("vt", "url", stats({ malicious: 2, harmless: 50 }), scores, "/url", "u", false).tags, [
    "vt_url_malicious",
  ]);
  assert.equal(answeredFinding("vt", "file", stats({ suspicious: 1 }), scores, "/f", "h", false).score, 45);
  const clean = answeredFinding("vt", "url", stats({ harmless: 3 }), scores, "/url", "u", true);
  assert.deepEqual([clean.score, clean.tags], [0, ["vt_url_clean"]]);
  assert.match(clean.reasons[0]!, /^VirusTotal stats => malicious=0, suspicious=0, harmless=3 \(u, cached\)$/);
  assert.deepEqual(answeredFinding("vt", "url", stats({}), scores, "/url", "u", false).tags, ["vt_url_unknown", "unknown"]);
  assert.equal(statsOf({ data: {} }), undefined);
  assert.equal(statsOf("garbage"), undefined);
});

test("failures carry `unknown`, and force review or block when configured", () => {
  assert.deepEqual(failureFinding("vt", "vt_url_error", "x", "unknown", 10, "/url").tags, ["vt_url_error", "unknown"]);
  assert.equal(failureFinding("vt", "vt_url_error", "x", "unknown", 10, "/url").floor, undefined);
  assert.equal(failureFinding("vt", "vt_url_error", "x", "review", 10, "/url").floor, "review");
  assert.equal(failureFinding("vt", "vt_url_error", "x", "block", 10, "/url").floor, "block");
});
