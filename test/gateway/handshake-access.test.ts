// Who may connect to the standalone server: auth modes, connection limits and browser origins
// (upstream-live.md §4), each on real sockets on 127.0.0.1.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import WebSocket from "ws";
import { GatewayError, TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

describe("auth modes", () => {
  test("password mode takes auth.password and says password in its errors", async () => {
    const { url } = await startTestHost({ gateway: { token: undefined, password: "pw-secret-1", server: { auth_mode: "password" } } });
    const client = await TestClient.connect(url, { password: "pw-secret-1" });
    assert.equal(client.hello.auth.method, "password");
    await client.close();
    await assert.rejects(TestClient.connect(url, { password: "nope", clientId: "cli", mode: "cli" }), (error: GatewayError) => {
      assert.equal(error.frame.error?.details.code, "AUTH_PASSWORD_MISMATCH");
      assert.equal(error.frame.error?.message, "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)");
      return true;
    });
    await assert.rejects(
      TestClient.connect(url, { token: "pw-secret-1" }),
      (error: GatewayError) => error.frame.error?.details.code === "AUTH_PASSWORD_MISSING",
    );
  });

  test("auto prefers the password when both are set", async () => {
    const { url } = await startTestHost({ gateway: { token: "tok-1", password: "pw-2", server: { auth_mode: "auto" } } });
    await assert.rejects(TestClient.connect(url, { token: "tok-1" }), GatewayError);
    const client = await TestClient.connect(url, { password: "pw-2" });
    assert.equal(client.hello.auth.method, "password");
    await client.close();
  });

  test("none accepts a connect without credentials and grants the requested scopes", async () => {
    const { url } = await startTestHost({ gateway: { token: undefined, server: { auth_mode: "none" } } });
    const client = await TestClient.connect(url, { scopes: ["operator.read"] });
    assert.deepEqual(client.hello.auth, { method: "none", role: "operator", scopes: ["operator.read"] });
    assert.ok((await client.call("status", {})).runtime);
    await client.close();
  });
});

describe("connection limits", () => {
  test("more pending handshakes from one address than allowed: close 1013", async () => {
    const { url } = await startTestHost({ gateway: { server: { max_preauth_per_address: 2 } } });
    const first = await TestClient.open(url);
    const second = await TestClient.open(url);
    const ws = new WebSocket(url);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    assert.deepEqual(closed, { code: 1013, reason: "too many pending handshakes from this address" });
    await Promise.all([first.client.close(), second.client.close()]);
    // Once the earlier handshakes are gone, the address may connect again.
    const again = await TestClient.open(url);
    await again.client.close();
  });

  test("more connections than max_connections: close 1013", async () => {
    const { url, token } = await startTestHost({ gateway: { server: { max_connections: 1 } } });
    const only = await TestClient.connect(url, { token });
    const ws = new WebSocket(url);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    assert.deepEqual(closed, { code: 1013, reason: "too many connections" });
    await only.close();
  });
});

describe("browser origins", async () => {
  const { url, token } = await startTestHost({ gateway: { server: { allowed_origins: ["https://ops.example.com"] } } });
  const port = new URL(url).port;

  const refusal = async (options: Parameters<typeof TestClient.connect>[1]) => {
    const error = await TestClient.connect(url, options).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof GatewayError, "the connect is refused");
    return error.frame.error!;
  };

  test("a page from another origin is refused before its credentials are looked at", async () => {
    const error = await refusal({ token, origin: "https://evil.example", clientId: "cli", mode: "cli" });
    assert.equal(error.code, "INVALID_REQUEST");
    assert.equal(error.details?.code, "CONTROL_UI_ORIGIN_NOT_ALLOWED");
    assert.match(error.message, /gateway\.server\.allowed_origins/);
    // Even with no credentials at all, the answer is about the origin (nothing about the token leaks).
    const anonymous = await refusal({ origin: "http://127.0.0.1.evil.example" });
    assert.equal(anonymous.details?.code, "CONTROL_UI_ORIGIN_NOT_ALLOWED");
    const garbage = await refusal({ token, origin: "null" });
    assert.equal(garbage.details?.code, "CONTROL_UI_ORIGIN_NOT_ALLOWED");
  });

  test("Talon's own pages and configured origins are allowed; clients without an Origin are unaffected", async () => {
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, "https://OPS.example.com/"]) {
      const client = await TestClient.connect(url, { token, origin, scopes: ["operator.read"] });
      assert.equal((await client.call("health", {})).ok, true, origin);
      await client.close();
    }
    const cli = await TestClient.connect(url, { token, clientId: "cli", mode: "cli" });
    await cli.close();
    const wrongPort = await refusal({ token, origin: `http://127.0.0.1:${Number(port) + 1}` });
    assert.equal(wrongPort.details?.code, "CONTROL_UI_ORIGIN_NOT_ALLOWED");
  });

  test("browser UI clients (webchat, control UI) need an allowed origin, as upstream requires", async () => {
    const bare = await refusal({ token, clientId: "openclaw-control-ui", mode: "ui" });
    assert.equal(bare.details?.code, "CONTROL_UI_ORIGIN_NOT_ALLOWED");
    const ui = await TestClient.connect(url, { token, clientId: "openclaw-control-ui", mode: "ui", origin: `http://127.0.0.1:${port}` });
    await ui.close();
  });

  test("allowed_origins = ['*'] lets any origin through", async () => {
    const open = await startTestHost({ gateway: { server: { allowed_origins: ["*"] } } });
    const client = await TestClient.connect(open.url, { token: open.token, origin: "https://anywhere.example" });
    await client.close();
  });
});
