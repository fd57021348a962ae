// RPC dispatch over the wire: upstream's role and scope rules on every method, params errors
// naming the failing path, handler failures contained, plugin interception through the rpc hook.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

const probe = fileURLToPath(new URL("./fixtures/gateway-probe", import.meta.url));

const missing = (scope: string) => ({
  code: "FORBIDDEN",
  message: `missing scope: ${scope}`,
  details: { code: "MISSING_SCOPE", missingScope: scope, requiredScopes: [scope] },
});
const badRole = (role: string) => ({ code: "INVALID_REQUEST", message: `unauthorized role: ${role}` });

describe("rpc dispatch", async () => {
  const { url, token } = await startTestHost({ plugins: { load: [probe] } });
  const connect = (scopes: string[], extra: Parameters<typeof TestClient.connect>[1] = {}) =>
    TestClient.connect(url, { token, scopes, ...extra });
  const errorOf = async (client: TestClient, method: string, params: unknown = {}) => (await client.request(method, params)).error;

  test("scope rules: write implies read, admin implies all, approvals needs itself, reserved prefixes need admin", async () => {
    const none = await connect([]);
    const reader = await connect(["operator.read"]);
    const writer = await connect(["operator.write"]);
    const approver = await connect(["operator.approvals"]);
    const admin = await connect(["operator.admin"]);
    const matrix: [TestClient, string, unknown][] = [
      [none, "health", undefined],
      [none, "status", missing("operator.read")],
      [none, "probe.echo", missing("operator.read")],
      [reader, "probe.echo", undefined],
      [reader, "status", undefined],
      [reader, "probe.write", missing("operator.write")],
      [reader, "probe.approvals", missing("operator.approvals")],
      [reader, "probe.admin", missing("operator.admin")],
      [reader, "config.probe", missing("operator.admin")],
      [writer, "probe.echo", undefined],
      [writer, "probe.write", undefined],
      [writer, "probe.approvals", missing("operator.approvals")],
      [approver, "probe.approvals", undefined],
      [approver, "probe.echo", missing("operator.read")],
      [admin, "probe.admin", undefined],
      [admin, "probe.approvals", undefined],
      [admin, "config.probe", undefined],
      [admin, "probe.node", badRole("operator")],
    ];
    for (const [client, method, expected] of matrix) {
      assert.deepEqual(await errorOf(client, method), expected, `${client.hello.auth.scopes.join(",") || "no scopes"} → ${method}`);
    }
    await Promise.all([none, reader, writer, approver, admin].map((client) => client.close()));
  });

  test("dynamic scopes follow the params", async () => {
    const writer = await connect(["operator.write"]);
    assert.deepEqual(await writer.call("probe.dynamic", { level: "write" }), { level: "write" });
    assert.deepEqual(await errorOf(writer, "probe.dynamic", { level: "admin" }), missing("operator.admin"));
    await writer.close();
  });

  test("a caller without the scope learns nothing about the params (scope is checked first)", async () => {
    const reader = await connect(["operator.read"]);
    assert.deepEqual(await errorOf(reader, "probe.write", { nonsense: true }), missing("operator.write"));
    await reader.close();
  });

  test("nodes may call health and node methods only; repeated role violations close the connection", async () => {
    const node = await connect([], { role: "node", mode: "node", clientId: "node-host" });
    assert.equal((await node.call("health", {})).ok, true);
    assert.deepEqual(await node.call("probe.node", {}), { node: true });
    assert.deepEqual(await errorOf(node, "probe.echo"), badRole("node"));
    assert.deepEqual(await errorOf(node, "no.such.method"), badRole("node"));
    for (let i = 0; i < 8; i++) await node.request("status", {});
    assert.equal(node.ws.readyState, node.ws.OPEN, "ten unauthorized calls are tolerated");
    void node.request("status", {}).catch(() => undefined);
    assert.deepEqual(await node.closed, { code: 1008, reason: "repeated unauthorized calls" });
  });

  test("params errors name the failing path in upstream's words", async () => {
    const reader = await connect(["operator.read"]);
    const cases: [unknown, string][] = [
      [{}, "invalid probe.nested params: must have required property 'target'"],
      [{ target: {} }, "invalid probe.nested params: at /target: must have required property 'keys'"],
      [{ target: { keys: [] } }, "invalid probe.nested params: at /target/keys: must NOT have fewer than 1 items"],
      [{ target: { keys: [1] } }, "invalid probe.nested params: at /target/keys/0: must be string"],
      [{ target: { keys: ["a"] }, x: 1 }, "invalid probe.nested params: at root: unexpected property 'x'"],
      ["text", "invalid probe.nested params: must be object"],
    ];
    for (const [params, message] of cases) {
      const error = await errorOf(reader, "probe.nested", params);
      assert.equal(error?.code, "INVALID_REQUEST");
      assert.equal(error?.message, message);
    }
    assert.deepEqual(await reader.call("probe.nested", { target: { keys: ["a"] } }), { keys: ["a"] });
    await reader.close();
  });

  test("handler failures: refusals keep their code, crashes leak nothing, unserialisable results are reported", async () => {
    const reader = await connect(["operator.read"]);
    assert.deepEqual(await errorOf(reader, "probe.refuse"), { code: "INVALID_REQUEST", message: "no such thing: x" });
    const crash = await errorOf(reader, "probe.throw");
    assert.equal(crash?.code, "UNAVAILABLE");
    assert.equal(crash?.message, "internal error in probe.throw; see the Talon log");
    assert.ok(!JSON.stringify(crash).includes("secret"), "the handler's error text does not reach the client");
    assert.deepEqual(await errorOf(reader, "probe.bigint"), { code: "UNAVAILABLE", message: "response serialization failed" });
    assert.equal((await reader.call("health", {})).ok, true);
    await reader.close();
  });

  test("sync and async handlers, case-insensitive names, interception through the rpc hook", async () => {
    const reader = await connect(["operator.read"]);
    assert.deepEqual(await reader.call("probe.echo", { value: 1 }), { echo: 1 });
    assert.deepEqual(await reader.call("probe.async", { value: 2 }), { echo: 2 });
    assert.deepEqual(await reader.call("PROBE.Echo", { value: 3 }), { echo: 3 });
    assert.deepEqual(await reader.call("probe.intercepted", {}), { from: "handler" });
    assert.deepEqual(await reader.call("probe.intercepted", { intercept: true }), { from: "interceptor" });
    await reader.close();
  });

  test("answers are framed correctly at every payload-length boundary (7-, 16- and 64-bit lengths)", async () => {
    const reader = await connect(["operator.read"]);
    for (const size of [125, 126, 127, 65535, 65536, 65537, 200_000]) {
      const id = `frame-${size}`;
      const overhead = `{"type":"res","id":"${id}","ok":true,"payload":{"echo":""}}`.length;
      const value = "v".repeat(size - overhead);
      reader.send({ type: "req", id, method: "probe.echo", params: { value } });
      const res = await reader.waitForResponse((frame) => frame.id === id);
      assert.equal(JSON.stringify(res).length, size);
      assert.equal(res.payload.echo, value);
    }
    await reader.close();
  });

  test("hundreds of pipelined requests on one connection are all answered (backpressure, not loss)", async () => {
    const reader = await connect(["operator.read"]);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => reader.call(i % 2 ? "probe.async" : "probe.echo", { value: i })),
    );
    assert.deepEqual(
      results.map((result) => result.echo),
      Array.from({ length: 500 }, (_, i) => i),
    );
    await reader.close();
  });

  test("a slow request does not block the connection's other requests (seed-gateway §8 item 7)", async () => {
    const reader = await connect(["operator.read"]);
    const hanging = reader.request("probe.hang", {}, 60_000);
    assert.equal((await reader.call("health", {})).ok, true);
    await reader.close();
    void hanging.catch(() => undefined);
  });
});
