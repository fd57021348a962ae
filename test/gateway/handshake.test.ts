// The standalone server against upstream's handshake error table (upstream-live.md §4): every
// row is a real socket on 127.0.0.1, checked for the reply frame, the close code and the reason.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import WebSocket from "ws";
import { GatewayError, TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

const connectParams = (token: string | undefined, extra: Record<string, unknown> = {}) => ({
  minProtocol: 4,
  maxProtocol: 4,
  client: { id: "cli", version: "0.0.1", platform: "linux", mode: "cli" },
  ...(token === undefined ? {} : { auth: { token } }),
  role: "operator",
  scopes: ["operator.read"],
  ...extra,
});

describe("handshake", async () => {
  const { url, token } = await startTestHost({ gateway: { server: { handshake_timeout_ms: 600 } } });

  test("the server speaks first: connect.challenge with a nonce and a timestamp", async () => {
    const { client, challenge } = await TestClient.open(url);
    assert.equal(challenge.type, "event");
    assert.equal(typeof challenge.payload.nonce, "string");
    assert.ok(challenge.payload.nonce.length >= 16);
    assert.ok(Number.isInteger(challenge.payload.ts) && challenge.payload.ts > 0);
    assert.equal(challenge.seq, undefined, "the challenge carries no seq");
    await client.close();
  });

  test("a connect sent before the challenge arrives is accepted", async () => {
    const ws = new WebSocket(url);
    const frames: any[] = [];
    ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(JSON.stringify({ type: "req", id: "early", method: "connect", params: connectParams(token) }));
    await new Promise<void>((resolve) => {
      const check = () => (frames.some((frame) => frame.id === "early") ? resolve() : setTimeout(check, 5));
      check();
    });
    assert.equal(frames[0].event, "connect.challenge");
    assert.equal(frames.find((frame) => frame.id === "early").payload.type, "hello-ok");
    ws.close();
  });

  test("hello-ok carries protocol, server, features, snapshot, auth and policy", async () => {
    const client = await TestClient.connect(url, {
      token,
      clientId: "cli",
      mode: "cli",
      minProtocol: 1,
      maxProtocol: 9,
      scopes: ["operator.read", "operator.read", " operator.write "],
    });
    const hello = client.hello;
    assert.equal(hello.protocol, 4);
    assert.equal(typeof hello.server.version, "string");
    assert.equal(typeof hello.server.connId, "string");
    assert.ok(hello.features.methods.includes("health") && hello.features.methods.includes("status"));
    assert.ok(hello.features.events.includes("tick") && hello.features.events.includes("connect.challenge"));
    assert.deepEqual(hello.auth, { method: "token", role: "operator", scopes: ["operator.read", "operator.write"] });
    assert.deepEqual(Object.keys(hello.policy).sort(), ["maxBufferedBytes", "maxPayload", "tickIntervalMs"]);
    assert.equal(hello.policy.maxPayload, 26214400);
    assert.equal(hello.policy.maxBufferedBytes, 52428800);
    assert.equal(hello.policy.tickIntervalMs, 30000);
    assert.ok(Array.isArray(hello.snapshot.presence) && typeof hello.snapshot.uptimeMs === "number");
    await client.close();
  });

  test("bad token: INVALID_REQUEST with upstream's text and details, then close 1008 with the same text", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("connect", connectParams("wrong-token"));
    const message = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)";
    assert.deepEqual(res.error, {
      code: "INVALID_REQUEST",
      message,
      details: {
        code: "AUTH_TOKEN_MISMATCH",
        authReason: "token_mismatch",
        canRetryWithDeviceToken: false,
        recommendedNextStep: "update_auth_credentials",
      },
    });
    assert.deepEqual(await client.closed, { code: 1008, reason: message });
    // A correct token right after a wrong one is still accepted.
    const good = await TestClient.connect(url, { token, clientId: "cli", mode: "cli" });
    await good.close();
  });

  test("empty token: AUTH_TOKEN_MISSING", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("connect", connectParams(""));
    assert.equal(res.error?.code, "INVALID_REQUEST");
    assert.equal(res.error?.details.code, "AUTH_TOKEN_MISSING");
    assert.match(res.error!.message, /^unauthorized: gateway token missing/);
    assert.equal((await client.closed).code, 1008);
  });

  test("no auth at all: NOT_PAIRED device identity required, close 1008", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("connect", connectParams(undefined));
    assert.deepEqual(res.error, { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" } });
    assert.deepEqual(await client.closed, { code: 1008, reason: "device identity required" });
  });

  test("a first request that is not connect: error, close 1008 with the same text", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("health", {});
    assert.deepEqual(res.error, { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" });
    assert.deepEqual(await client.closed, { code: 1008, reason: "invalid handshake: first request must be connect" });
  });

  test("a first frame that is not JSON: no reply, close 1000 with an empty reason", async () => {
    const { client } = await TestClient.open(url);
    client.send("{not json");
    assert.deepEqual(await client.closed, { code: 1000, reason: "" });
    assert.equal(client.responses.length, 0);
  });

  test("a first frame that is JSON but no request: no reply, close 1008 invalid request frame", async () => {
    const { client } = await TestClient.open(url);
    client.send({ hello: "world" });
    assert.deepEqual(await client.closed, { code: 1008, reason: "invalid request frame" });
    assert.equal(client.responses.length, 0);
  });

  test("unknown client id, unknown mode and unknown properties are refused with upstream's wording", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { client: { id: "my-sidecar", version: "0.0.1", platform: "linux", mode: "cli" } },
        "invalid connect params: at /client/id: must be equal to one of the allowed values",
      ],
      [
        { client: { id: "cli", version: "0.0.1", platform: "linux", mode: "sidecar" } },
        "invalid connect params: at /client/mode: must be equal to one of the allowed values",
      ],
      [{ foo: 1 }, "invalid connect params: at root: unexpected property 'foo'"],
      [
        { client: { id: "cli", version: "", platform: "linux", mode: "cli" } },
        "invalid connect params: at /client/version: must NOT have fewer than 1 characters",
      ],
      [{ minProtocol: "4" }, "invalid connect params: at /minProtocol: must be number"],
    ];
    for (const [extra, message] of cases) {
      const { client } = await TestClient.open(url);
      const res = await client.request("connect", connectParams(token, extra));
      assert.deepEqual(res.error, { code: "INVALID_REQUEST", message });
      assert.deepEqual(await client.closed, { code: 1008, reason: message });
    }
  });

  test("connect params missing a required property name it", async () => {
    const { client } = await TestClient.open(url);
    const params = connectParams(token) as Record<string, unknown>;
    delete params.minProtocol;
    const res = await client.request("connect", params);
    assert.equal(res.error?.message, "invalid connect params: must have required property 'minProtocol'");
    await client.closed;
  });

  test("an unknown role is refused", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("connect", connectParams(token, { role: "admin" }));
    assert.deepEqual(res.error, { code: "INVALID_REQUEST", message: "invalid role" });
    assert.deepEqual(await client.closed, { code: 1008, reason: "invalid role" });
  });

  test("protocol 3..3 for an operator: PROTOCOL_MISMATCH, close 1002", async () => {
    const { client } = await TestClient.open(url);
    const res = await client.request("connect", connectParams(token, { minProtocol: 3, maxProtocol: 3 }));
    assert.deepEqual(res.error, {
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: 3, clientMaxProtocol: 3, expectedProtocol: 4, minimumProbeProtocol: 3 },
    });
    assert.deepEqual(await client.closed, { code: 1002, reason: "protocol mismatch" });
  });

  test("protocol 5..9 is refused; a node and a probe may use 3", async () => {
    await assert.rejects(
      TestClient.connect(url, { token, minProtocol: 5, maxProtocol: 9 }),
      (error: GatewayError) => error.frame.error?.message === "protocol mismatch",
    );
    const node = await TestClient.connect(url, {
      token,
      role: "node",
      mode: "node",
      clientId: "node-host",
      minProtocol: 3,
      maxProtocol: 3,
    });
    assert.equal(node.hello.protocol, 3);
    assert.deepEqual(node.hello.auth.scopes, [], "nodes hold no operator scopes");
    await node.close();
    const probe = await TestClient.connect(url, { token, mode: "probe", clientId: "openclaw-probe", minProtocol: 3, maxProtocol: 3 });
    assert.equal(probe.hello.protocol, 3);
    await probe.close();
  });

  test("nothing sent after open: the server closes at the handshake timeout with 1000 and no reason", async () => {
    const { client } = await TestClient.open(url);
    assert.deepEqual(await client.closed, { code: 1000, reason: "" });
  });

  test("a pre-auth frame over 64 KiB: close 1009 preauth payload too large", async () => {
    const { client } = await TestClient.open(url);
    client.send({ type: "req", id: "big", method: "connect", params: { pad: "x".repeat(70_000) } });
    assert.deepEqual(await client.closed, { code: 1009, reason: "preauth payload too large" });
  });

  test("frames piling up behind a refused connect: close 1008 too many pending handshake frames", async () => {
    const { client } = await TestClient.open(url);
    client.send({ type: "req", id: "c1", method: "connect", params: connectParams("wrong-token") });
    for (let i = 0; i < 20; i++) client.send({ type: "req", id: `x${i}`, method: "health", params: {} });
    assert.deepEqual(await client.closed, { code: 1008, reason: "too many pending handshake frames" });
  });
});

describe("after hello-ok", async () => {
  const { url, token } = await startTestHost({ gateway: { server: { max_payload: 200_000 } } });

  test("a second connect: missing scope for a non-admin, 'only valid as the first request' for an admin; both stay open", async () => {
    const reader = await TestClient.connect(url, { token, clientId: "cli", mode: "cli", scopes: ["operator.read"] });
    const res = await reader.request("connect", connectParams(token));
    assert.deepEqual(res.error, {
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
    });
    assert.equal((await reader.call("health", {})).ok, true);
    const admin = await TestClient.connect(url, { token, clientId: "cli", mode: "cli", scopes: ["operator.admin"] });
    const again = await admin.request("connect", connectParams(token));
    assert.deepEqual(again.error, { code: "INVALID_REQUEST", message: "connect is only valid as the first request" });
    assert.equal((await admin.call("health", {})).ok, true);
    await Promise.all([reader.close(), admin.close()]);
  });

  test("unknown method: missing scope without admin, unknown method with admin", async () => {
    const reader = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const res = await reader.request("no.such.method", {});
    assert.equal(res.error?.code, "FORBIDDEN");
    assert.equal(res.error?.message, "missing scope: operator.admin");
    const admin = await TestClient.connect(url, { token, scopes: ["operator.admin"] });
    assert.deepEqual((await admin.request("no.such.method", {})).error, {
      code: "INVALID_REQUEST",
      message: "unknown method: no.such.method",
    });
    await Promise.all([reader.close(), admin.close()]);
  });

  test("bad params: INVALID_REQUEST naming the failing path; the connection stays usable", async () => {
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const res = await client.request("usage.cost", { days: "seven" });
    assert.equal(res.error?.code, "INVALID_REQUEST");
    assert.equal(res.error?.message, "invalid usage.cost params: at /days: must be number");
    assert.deepEqual(res.error?.details.issues[0].path, "/days");
    assert.equal((await client.call("health", {})).ok, true);
    await client.close();
  });

  test("a request without id is answered with id invalid; malformed JSON is dropped; the connection stays usable", async () => {
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    client.send({ type: "req", method: "health", params: {} });
    const invalid = await client.waitForResponse((frame) => frame.id === "invalid");
    assert.deepEqual(invalid, {
      type: "res",
      id: "invalid",
      ok: false,
      error: { code: "INVALID_REQUEST", message: "invalid request frame: must have required property 'id'" },
    });
    client.send("{not json");
    client.send({ type: "req", id: "x", method: "health", extra: 1 });
    const extra = await client.waitForResponse((frame) => frame.id === "x");
    assert.equal(extra.error?.message, "invalid request frame: at root: unexpected property 'extra'");
    client.send([1, 2]);
    await client.waitForResponse((frame) => frame.error?.message === "invalid request frame: must be object");
    assert.equal((await client.call("health", {})).ok, true);
    assert.equal(client.responses.filter((frame) => frame.id === "invalid").length, 2, "the malformed JSON got no answer");
    await client.close();
  });

  test("post-auth frames may exceed 64 KiB up to policy.maxPayload; beyond it close 1009", async () => {
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    assert.equal(client.hello.policy.maxPayload, 200_000);
    const echoed = await client.call("health", { pad: "y".repeat(100_000) });
    assert.equal(echoed.ok, true);
    client.send({ type: "req", id: "huge", method: "health", params: { pad: "z".repeat(250_000) } });
    assert.deepEqual(await client.closed, { code: 1009, reason: "payload too large" });
  });
});
