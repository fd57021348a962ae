// Fuzzing the standalone server with generated frames (fast-check): malformed JSON, wrong types,
// huge frames, unknown methods, frames before connect, floods. The server never crashes, every
// request with an id gets an answer, its tables drain back, and other connections are unaffected.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import WebSocket from "ws";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";
import { waitUntil } from "./wait.ts";

const probe = fileURLToPath(new URL("./fixtures/gateway-probe", import.meta.url));
const MAX_PAYLOAD = 1024 * 1024;
const METHODS = [
  "health",
  "status",
  "usage.status",
  "usage.cost",
  "probe.echo",
  "probe.async",
  "probe.nested",
  "probe.throw",
  "probe.bigint",
  "probe.refuse",
  "probe.write",
  "probe.admin",
  "probe.node",
  "probe.upstream",
  "connect",
  "no.such.method",
  "config.get",
  "",
];

/** One generated frame: the text to send and what the server owes in return. */
interface Generated {
  text: string;
  /** The id the answer carries (`invalid` when the frame has no usable id); undefined: no answer owed. */
  answerId?: string | number;
}

const idKind = fc.constantFrom("unique", "unique", "unique", "empty", "number", "missing", "object");
const frameType = fc.constantFrom("req", "req", "req", "req", "res", "resp", "event", "error", "bogus", undefined);
const params = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ target: fc.record({ keys: fc.array(fc.string(), { maxLength: 3 }) }) }),
  fc.record({ days: fc.oneof(fc.integer(), fc.string()), startDate: fc.string() }, { requiredKeys: [] }),
  fc.constant(undefined),
);
const objectFrame = fc.record(
  {
    type: frameType,
    idKind,
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 20 })),
    params,
    extra: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
  },
  { requiredKeys: ["idKind"] },
);
const rawFrame = fc.oneof(
  { weight: 6, arbitrary: objectFrame.map((frame) => ({ kind: "object" as const, frame })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: "json" as const, value })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((text) => ({ kind: "text" as const, text })) },
  { weight: 1, arbitrary: fc.integer({ min: 70_000, max: 300_000 }).map((size) => ({ kind: "huge" as const, size })) },
);

let counter = 0;

/** Turn a generated shape into bytes and the answer the server owes for it (upstream-live.md §4). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function materialise(raw: any): Generated {
  if (raw.kind === "text") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.text);
    } catch {
      return { text: raw.text };
    }
    return materialise({ kind: "json", value: parsed });
  }
  if (raw.kind === "json") {
    const value = raw.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { text: JSON.stringify(value), answerId: "invalid" };
    return materialise({ kind: "object", frame: { ...value, idKind: "as-is" } });
  }
  if (raw.kind === "huge") {
    const id = `h${++counter}`;
    return { text: JSON.stringify({ type: "req", id, method: "probe.echo", params: { value: "x".repeat(raw.size) } }), answerId: id };
  }
  const { idKind: kind, extra, ...rest } = raw.frame;
  const frame: Record<string, unknown> = { ...rest };
  if (extra !== undefined) frame.extra = extra;
  for (const key of Object.keys(frame)) if (frame[key] === undefined) delete frame[key];
  if (kind === "unique") frame.id = `f${++counter}`;
  else if (kind === "empty") frame.id = "";
  else if (kind === "number") frame.id = ++counter;
  else if (kind === "object") frame.id = { n: 1 };
  else if (kind === "missing") delete frame.id;
  const type = frame.type;
  const id = frame.id;
  const usable = (typeof id === "string" && id !== "") || (typeof id === "number" && Number.isFinite(id));
  // Events and responses from a client are screened, not answered; everything else is answered.
  const answerId = type === "event" || type === "res" || type === "resp" ? undefined : usable ? (id as string | number) : "invalid";
  return { text: JSON.stringify(frame), answerId };
}

describe("fuzz", async () => {
  const { host, url, token } = await startTestHost({
    plugins: { load: [probe] },
    gateway: { server: { handshake_timeout_ms: 500, max_payload: MAX_PAYLOAD, max_preauth_per_address: 64 } },
  });
  const observer = await TestClient.connect(url, { token, scopes: ["operator.read"] });
  const baselineRss = process.memoryUsage().rss;

  test("authenticated clients: every request with an id is answered and the connection stays usable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawFrame, { minLength: 1, maxLength: 60 }),
        fc.subarray(["operator.read", "operator.write", "operator.admin", "operator.approvals"]),
        async (raws, scopes) => {
          const client = await TestClient.connect(url, { token, scopes });
          const start = client.responses.length; // the hello-ok
          const owed = new Map<string | number, number>();
          for (const raw of raws) {
            const generated = materialise(raw);
            client.send(generated.text);
            if (generated.answerId !== undefined) owed.set(generated.answerId, (owed.get(generated.answerId) ?? 0) + 1);
          }
          const answered = () => {
            const got = new Map<string | number, number>();
            for (const frame of client.responses.slice(start)) got.set(frame.id, (got.get(frame.id) ?? 0) + 1);
            for (const [id, count] of owed) if ((got.get(id) ?? 0) < count) return undefined;
            return got;
          };
          try {
            const got = await client.waitFor(answered, 20_000, "every owed answer");
            assert.equal(
              [...got.values()].reduce((a, b) => a + b, 0),
              [...owed.values()].reduce((a, b) => a + b, 0),
              "no answer without a request",
            );
            assert.equal(client.ws.readyState, WebSocket.OPEN, "bad frames never close an authenticated operator");
            assert.equal((await client.call("health", {})).ok, true);
          } finally {
            await client.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test("frames before connect: every connection ends authenticated or closed with upstream's codes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawFrame, { minLength: 0, maxLength: 5 }), fc.boolean(), async (raws, connectFirst) => {
        const ws = new WebSocket(url);
        const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
        const hello = new Promise<boolean>((resolve) => {
          ws.on("message", (data) => {
            const frame = JSON.parse(data.toString());
            if (frame.id === "c") resolve(frame.ok === true);
          });
          void closed.then(() => resolve(false));
        });
        await new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", reject);
        });
        if (connectFirst) {
          ws.send(
            JSON.stringify({
              type: "req",
              id: "c",
              method: "connect",
              params: { minProtocol: 4, maxProtocol: 4, client: { id: "cli", version: "1", platform: "x", mode: "cli" }, auth: { token } },
            }),
          );
        }
        for (const raw of raws) ws.send(materialise(raw).text);
        if (connectFirst) {
          assert.equal(await hello, true, "a valid first connect is accepted whatever follows it");
          ws.close();
        }
        const code = await closed;
        if (!connectFirst) assert.ok([1000, 1002, 1008, 1009].includes(code), `close code ${code}`);
      }),
      { numRuns: 60 },
    );
  });

  test("a flood of requests on one connection and a flood of connections leave others unaffected", async () => {
    const flooder = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const flood = Array.from({ length: 3000 }, (_, i) => flooder.request(i % 3 ? "probe.echo" : "no.such.method", { value: i }, 60_000));
    const sockets = Array.from({ length: 50 }, () => new WebSocket(url));
    assert.equal((await observer.call("health", {})).ok, true, "the observer is served during the flood");
    const answers = await Promise.all(flood);
    assert.equal(answers.length, 3000);
    assert.ok(answers.every((frame, i) => (i % 3 ? frame.ok && frame.payload.echo === i : frame.error?.code === "FORBIDDEN")));
    await Promise.all(
      sockets.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(undefined) : ws.once("close", resolve)))),
    );
    await flooder.close();
  });

  test("afterwards the server's tables drain back and memory stays bounded", async () => {
    await waitUntil(() => host.gateway.stats().server!.handshakes === 0, "pending handshakes to drain");
    await waitUntil(() => host.gateway.stats().server!.connections === 1, "only the observer to remain");
    assert.equal((await observer.call("health", {})).ok, true);
    const growthMb = (process.memoryUsage().rss - baselineRss) / (1024 * 1024);
    assert.ok(growthMb < 400, `RSS grew ${growthMb.toFixed(0)} MB`);
    await observer.close();
  });
});
