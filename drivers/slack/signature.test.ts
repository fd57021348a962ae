import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { signSlackRequest, verifySlackRequest } from "./signature.ts";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

test("signs as Slack documents: v0= hex HMAC-SHA256 of v0:<timestamp>:<raw body>", () => {
  const body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather";
  const expected = `v0=${createHmac("sha256", SECRET).update(`v0:1531420618:${body}`).digest("hex")}`;
  assert.equal(signSlackRequest(SECRET, 1531420618, body), expected);
  assert.equal(signSlackRequest(SECRET, "1531420618", Buffer.from(body)), expected);
});

test("verifies signature and timestamp, refusing every tampered part", () => {
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);
  const body = Buffer.from('{"type":"event_callback","event":{"type":"message","text":"hi"}}');
  const good = signSlackRequest(SECRET, ts, body);
  assert.deepEqual(verifySlackRequest(SECRET, good, ts, body, 300, now), { ok: true, timestamp: now / 1000 });
  const refused = (signature: string | undefined, timestamp: string | undefined, raw: Buffer, at = now) => {
    const check = verifySlackRequest(SECRET, signature, timestamp, raw, 300, at);
    assert.equal(check.ok, false);
    return (check as { reason: string }).reason;
  };
  assert.match(refused(undefined, ts, body), /missing x-slack-signature/);
  assert.match(refused(good, undefined, body), /missing x-slack-request-timestamp/);
  assert.match(refused(good, "12.5", body), /unix seconds/);
  assert.match(refused(good, ts, Buffer.from(`${body} `)), /does not match/, "one byte more in the body");
  assert.match(
    refused(
      good.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
      ts,
      body,
    ),
    /does not match/,
  );
  assert.match(refused(signSlackRequest("another-secret-0123456789", ts, body), ts, body), /does not match/);
  assert.match(refused(good, String(now / 1000 - 1), body), /does not match/, "the timestamp is signed too");
  assert.match(refused(good, ts, body, now + 301_000), /more than 300 s/, "replayed after the window");
  assert.match(refused(good, ts, body, now - 301_000), /more than 300 s/, "from the future");
  assert.equal(verifySlackRequest(SECRET, good, ts, body, 300, now + 300_000).ok, true, "the window's edge is inside");
});
