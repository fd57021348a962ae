// The seed's frame corpus (parity/corpus/seed/frame-corpus.json): every case classifies as the
// seed expects. The seed's kind `resp` is Talon's `res` (a legacy `resp` frame is a response).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { summarizeFrame } from "./frame-summary.ts";

interface CorpusCase {
  name: string;
  frame: Record<string, unknown>;
  expect: { kind: string; method_family?: string; request_id?: string; method?: string; response_has_error?: boolean };
}

const corpus: { cases: CorpusCase[] } = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../parity/corpus/seed/frame-corpus.json", import.meta.url)), "utf8"),
);
const SEED_KIND: Record<string, string> = { req: "req", res: "resp", event: "event", error: "error", unknown: "unknown" };

test("the corpus is the seed's five cases", () => {
  assert.equal(corpus.cases.length, 5);
});

for (const { name, frame, expect } of corpus.cases) {
  test(`frame corpus: ${name}`, () => {
    const summary = summarizeFrame(frame);
    assert.equal(SEED_KIND[summary.kind], expect.kind);
    if (expect.method_family !== undefined) assert.equal(summary.family, expect.method_family);
    if (expect.request_id !== undefined) assert.equal(summary.requestId, expect.request_id);
    if (expect.method !== undefined) assert.equal(summary.method, expect.method);
    if (expect.response_has_error !== undefined) assert.equal(summary.responseHasError, expect.response_has_error);
  });
}

test("method families beyond the corpus follow the seed's table (seed-gateway §1.1)", () => {
  const families: [string, string][] = [
    ["connect", "connect"],
    ["health", "gateway"],
    ["status", "gateway"],
    ["agent", "agent"],
    ["agents.list", "agent"],
    ["sessions.list", "sessions"],
    ["session.status", "session"],
    ["node.invoke", "node"],
    ["cron.add", "cron"],
    ["usage.cost", "gateway"],
    ["models.list", "gateway"],
    ["wizard.start", "gateway"],
    ["message.send", "message"],
    ["browser.request", "browser"],
    ["canvas.present", "canvas"],
    ["pairing.approve", "pairing"],
    ["config.get", "config"],
    ["chat.send", "unknown"],
    ["exec.approval.request", "unknown"],
    ["  Sessions.Patch ", "sessions"],
    ["agentsx", "unknown"],
  ];
  for (const [method, family] of families) assert.equal(summarizeFrame({ type: "req", id: "1", method }).family, family, method);
  assert.deepEqual(summarizeFrame({ type: "res", ok: true }), { kind: "res", requestId: "unknown", responseHasError: false });
});
