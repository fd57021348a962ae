import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyHost, parseIPv4 } from "./addresses.ts";
import { configSchema } from "./config.ts";
import { judgeUrl, type UrlContext } from "./judge.ts";
import { findUrls } from "./urls.ts";

const config = configSchema.parse({});
const context = (overrides: Partial<UrlContext> = {}): UrlContext => ({
  scores: config.scores,
  allowed: new Set(),
  metadata: new Set(),
  severeOnly: false,
  ...overrides,
});
const tagsOf = (text: string, overrides: Partial<UrlContext> = {}) =>
  [...new Set(findUrls(text, true).urls.flatMap((url) => judgeUrl(url, context(overrides)).map((hit) => hit.tag)))].sort();

test("IPv4 in every inet_aton spelling", () => {
  for (const spelling of [
    "169.254.169.254",
    "2852039166",
    "0xa9fea9fe",
    "0xA9.0xFE.0xA9.0xFE",
    "0251.0376.0251.0376",
    "169.254.43518",
    "169.16689662",
    "169.254.169.254.",
  ])
    assert.deepEqual(parseIPv4(spelling), [169, 254, 169, 254], spelling);
  assert.equal(parseIPv4("256.1.1.1"), undefined);
  assert.equal(parseIPv4("1.2.3.4.5"), undefined);
  assert.equal(parseIPv4("08.1.1.1"), undefined);
  assert.equal(parseIPv4("example.com"), undefined);
});

test("hosts: metadata, loopback, private, link-local, unspecified and internal names, in IPv4 and IPv6", () => {
  const cases: [string, string | undefined][] = [
    ["169.254.169.254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["[FD00:0EC2:0000:0000:0000:0000:0000:0254]", "metadata"],
    ["[::ffff:169.254.169.254]", "metadata"],
    ["[::ffff:a9fe:a9fe]", "metadata"],
    ["[64:ff9b::a9fe:a9fe]", "metadata"],
    ["metadata.google.internal", "metadata"],
    ["METADATA.GOOGLE.INTERNAL.", "metadata"],
    ["100.100.100.200", "metadata"],
    ["127.0.0.1", "loopback"],
    ["0x7f.1", "loopback"],
    ["[::1]", "loopback"],
    ["localhost", "loopback"],
    ["api.localhost", "loopback"],
    ["10.1.2.3", "private"],
    ["172.20.0.1", "private"],
    ["192.168.1.1", "private"],
    ["[fc00::1]", "private"],
    ["100.64.0.1", "private"],
    ["169.254.1.1", "link_local"],
    ["[fe80::1]", "link_local"],
    ["0.0.0.0", "unspecified"],
    ["[::]", "unspecified"],
    ["db.internal", "internal_name"],
    ["printer.local", "internal_name"],
    ["intranet", "internal_name"],
    ["example.com", undefined],
    ["8.8.8.8", undefined],
    ["[2001:db8::1]", undefined],
    ["172.32.0.1", undefined],
  ];
  for (const [host, expected] of cases) assert.equal(classifyHost(host), expected, host);
});

test("every URL of a field is judged, with its scheme, user info and ambiguity", () => {
  assert.deepEqual(tagsOf("see https://example.com and then http://169.254.169.254/latest/meta-data"), ["url_metadata"]);
  assert.deepEqual(tagsOf("file:///etc/shadow"), ["url_scheme"]);
  assert.deepEqual(tagsOf("gopher://127.0.0.1:6379/_FLUSHALL"), ["url_loopback", "url_scheme"]);
  assert.deepEqual(tagsOf("http://a@b.example.com/"), ["url_userinfo"]);
  assert.deepEqual(tagsOf("http://trusted.example.com@169.254.169.254/"), ["url_metadata", "url_userinfo"]);
  assert.deepEqual(tagsOf("http://evil.example?@localhost/admin"), ["url_ambiguous", "url_loopback", "url_userinfo"]);
  assert.deepEqual(tagsOf("http://evil.example#@127.0.0.1/"), ["url_ambiguous", "url_loopback", "url_userinfo"]);
  assert.deepEqual(tagsOf("http://evil.example\\@127.0.0.1/"), ["url_ambiguous", "url_loopback", "url_userinfo"]);
  assert.deepEqual(tagsOf("http://2852039166/latest"), ["url_metadata"]);
  assert.deepEqual(tagsOf("169.254.169.254/latest/meta-data"), ["url_metadata"], "a bare host in a URL field counts as a URL");
  assert.deepEqual(tagsOf("https://docs.example.org/guide?q=1"), []);
  assert.deepEqual(tagsOf("dict://example.com:11211/stat"), ["url_scheme"]);
});

test("allowed hosts skip the network rules only; URLs in commands get the severe rules only", () => {
  assert.deepEqual(tagsOf("http://localhost:3000/", { allowed: new Set(["localhost"]) }), []);
  assert.deepEqual(tagsOf("http://169.254.169.254/", { allowed: new Set(["169.254.169.254"]) }), ["url_metadata"]);
  assert.deepEqual(tagsOf("curl http://localhost:3000/health", { severeOnly: true }), []);
  assert.deepEqual(tagsOf("curl -s http://169.254.169.254/latest/meta-data/iam/", { severeOnly: true }), ["url_metadata"]);
  assert.deepEqual(tagsOf("http://metadata.corp/x", { metadata: new Set(["metadata.corp"]) }), ["url_metadata"]);
});
