// Pure parts of the gateway: the hand-written request check agrees with the zod schema, error
// wording, event frame encoding, retry delays, the failure backoff and the secret comparison.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FailureBackoff, isLoopbackAddress, secretsEqual } from "../../core/gateway/auth.ts";
import { backoffDelay, bridgeBackoff, jitterUnit } from "../../core/runtime/backoff.ts";
import { encodeEventPrefix, withSeq } from "../../core/gateway/event-frame.ts";
import { HandshakeDeadlines } from "../../core/gateway/handshake-deadlines.ts";
import { evaluateHandshake, truncateReason } from "../../core/gateway/handshake.ts";
import { classifyFrame, invalidRequestMessage, isRequestFrame, requestFrameSchema } from "../../core/gateway/protocol.ts";
import { waitUntil } from "./wait.ts";

const requestLike = fc.record(
  {
    type: fc.oneof(fc.constant("req"), fc.constant("res"), fc.string(), fc.integer()),
    id: fc.oneof(fc.string(), fc.constant(""), fc.integer(), fc.constant(null)),
    method: fc.oneof(fc.string(), fc.constant("health"), fc.constant(""), fc.boolean()),
    params: fc.anything(),
    traceparent: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()),
    expectedProfileId: fc.oneof(fc.string({ maxLength: 140 }), fc.constant("")),
    extra: fc.anything(),
    __proto__: fc.anything(),
  },
  { requiredKeys: [] },
);

test("isRequestFrame agrees with requestFrameSchema on every generated frame", () => {
  fc.assert(
    fc.property(requestLike, (frame) => {
      const expected = requestFrameSchema.safeParse(frame).success;
      assert.equal(isRequestFrame(frame as Record<string, unknown>), expected, JSON.stringify(frame));
    }),
    { numRuns: 3000 },
  );
  assert.equal(isRequestFrame(JSON.parse('{"type":"req","id":"1","method":"health","__proto__":{}}')), false);
});

test("invalid request frames are worded as upstream words them", () => {
  assert.equal(
    invalidRequestMessage({ type: "req", method: "health", params: {} }),
    "invalid request frame: must have required property 'id'",
  );
  assert.equal(invalidRequestMessage({ type: "req", id: 5, method: "x" }), "invalid request frame: at /id: must be string");
  assert.equal(
    invalidRequestMessage({ type: "req", id: "a", method: "x", foo: 1 }),
    "invalid request frame: at root: unexpected property 'foo'",
  );
  assert.equal(invalidRequestMessage({ type: "rq", id: "a", method: "x" }), "invalid request frame: at /type: must be equal to constant");
  assert.equal(
    invalidRequestMessage({ type: "req", id: "a", method: "x", traceparent: "t".repeat(129) }),
    "invalid request frame: at /traceparent: must NOT have more than 128 characters",
  );
});

test("frame classification: req, res (and the seed's resp), event, error, unknown", () => {
  assert.equal(classifyFrame({ type: "req" }), "req");
  assert.equal(classifyFrame({ type: "res" }), "res");
  assert.equal(classifyFrame({ type: "resp" }), "res");
  assert.equal(classifyFrame({ type: "event" }), "event");
  assert.equal(classifyFrame({ type: "error" }), "error");
  assert.equal(classifyFrame({ error: {} }), "error");
  assert.equal(classifyFrame({ hello: 1 }), "unknown");
  assert.equal(classifyFrame([]), "unknown");
  assert.equal(classifyFrame(null), "unknown");
});

test("event frames: one prefix per event, one seq per connection, valid JSON", () => {
  const prefix = encodeEventPrefix("probe", { a: [1, 'x"y'] });
  assert.deepEqual(JSON.parse(withSeq(prefix, 7)), { type: "event", event: "probe", payload: { a: [1, 'x"y'] }, seq: 7 });
  assert.deepEqual(JSON.parse(withSeq(encodeEventPrefix("bare", undefined), 1)), { type: "event", event: "bare", seq: 1 });
  assert.throws(() => encodeEventPrefix("bad", { n: 1n }));
});

test("retry delays follow the seed's vectors (seed-defender §8.6)", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((a) => Number(jitterUnit(a).toFixed(6))),
    [0.663676, 0.140414, 0.488579, 0.280842, 0.047776, 0.349279, 0.508141, 0.791684],
  );
  const jittered = { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0.5 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(jittered, a)),
    [1332, 2140, 4977, 9123, 16382, 30000],
  );
  const bridge = bridgeBackoff(1000, 30000);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 1e9].map((a) => backoffDelay(bridge, a)),
    [1000, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  assert.equal(backoffDelay({ initialMs: 10, maxMs: 5, factor: 100, jitter: 7 }, 3), 250, "sanitised: initial ≥ 250, max ≥ initial");
  assert.equal(
    backoffDelay({ initialMs: 10, maxMs: 100, factor: 2, jitter: 0 }, 1, 1),
    10,
    "the 250 ms floor can be lowered (channel account tests)",
  );
});

test("the failure backoff grows per address like upstream's and forgets on success", () => {
  const backoff = new FailureBackoff();
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map(() => backoff.fail("10.0.0.1")),
    [270, 270, 500, 1000, 2000, 4000, 4000],
  );
  assert.equal(backoff.fail("10.0.0.2"), 270, "addresses are independent");
  backoff.succeed("10.0.0.1");
  assert.equal(backoff.fail("10.0.0.1"), 270);
  for (let i = 0; i < 10_050; i++) backoff.fail(`a${i}`);
  assert.ok(backoff.size <= 10_000, "the table is bounded");
});

test("secrets compare in constant time regardless of length; loopback detection", () => {
  assert.equal(secretsEqual("abc", "abc"), true);
  assert.equal(secretsEqual("abc", "abd"), false);
  assert.equal(secretsEqual("", "abc"), false);
  assert.equal(secretsEqual("x".repeat(10_000), "x"), false);
  for (const address of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "1.127.0.0"]) assert.equal(isLoopbackAddress(address), false, address);
});

test("handshake judgement never echoes a secret and truncates long close reasons", () => {
  const outcome = evaluateHandshake(
    {
      type: "req",
      id: "1",
      method: "connect",
      params: {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: "cli", version: "1", platform: "x", mode: "cli" },
        auth: { token: "guess-123" },
      },
    },
    { method: "token", secret: "real-secret" },
    true,
  );
  assert.equal(outcome.ok, false);
  assert.ok(!JSON.stringify(outcome).includes("real-secret") && !JSON.stringify(outcome).includes("guess-123"));
  const long = truncateReason("é".repeat(200));
  assert.ok(Buffer.byteLength(long) <= 123);
});

test("one timer expires handshakes in deadline order", async () => {
  const expired: string[] = [];
  const deadlines = new HandshakeDeadlines<{ handshakeDeadline: number; expire(): void; name: string }>();
  const entry = (name: string, inMs: number) => ({ name, handshakeDeadline: Date.now() + inMs, expire: () => expired.push(name) });
  const late = entry("late", 80);
  const early = entry("early", 20);
  const removed = entry("removed", 10);
  deadlines.add(late);
  deadlines.add(early);
  deadlines.add(removed);
  deadlines.delete(removed);
  await waitUntil(() => expired.length === 2, "both deadlines");
  assert.deepEqual(expired, ["early", "late"]);
  assert.equal(deadlines.size, 0);
});
