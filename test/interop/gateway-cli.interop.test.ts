// The real upstream CLI (openclaw@2026.9.6, `openclaw gateway call`) as a client of Talon's
// standalone server: health, status, usage.status and usage.cost answer ok; a wrong token is
// refused with upstream's exact error (upstream-live.md §4, bad token row).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { startTestHost } from "../helpers/host.ts";
import { ensureUpstream, openclawCall } from "../helpers/upstream.ts";

const MISMATCH = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)";

describe("upstream CLI against Talon", { timeout: 300_000 }, async () => {
  before(() => ensureUpstream(), { timeout: 900_000 });
  const { url, token } = await startTestHost();

  test("gateway call health returns ok", async () => {
    const result = await openclawCall("health", { url, token });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.json.ok, true);
    assert.equal(result.json.service, "talon");
    assert.deepEqual(result.json.plugins, { loaded: [], errors: [], unavailable: [] });
  });

  test("gateway call status returns ok", async () => {
    const result = await openclawCall("status", { url, token });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(typeof result.json.runtimeVersion, "string");
    assert.equal(result.json.mode, "standalone");
    assert.equal(typeof result.json.processMemory.rssBytes, "number");
  });

  test("gateway call usage.status and usage.cost return ok", async () => {
    const status = await openclawCall("usage.status", { url, token });
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(status.json.providers, []);
    const cost = await openclawCall("usage.cost", { url, token, params: { days: 7 } });
    assert.equal(cost.code, 0, cost.stderr);
    assert.equal(cost.json.days, 7);
  });

  test("bad params come back as upstream's request error", async () => {
    const result = await openclawCall("usage.cost", { url, token, params: { days: "seven" } });
    assert.equal(result.code, 1);
    assert.equal(result.json.ok, false);
    assert.equal(result.json.error.type, "gateway_request_error");
    assert.equal(result.json.error.code, "INVALID_REQUEST");
    assert.equal(result.json.error.message, "invalid usage.cost params: at /days: must be number");
  });

  test("a wrong token is refused the way upstream refuses it", async () => {
    const result = await openclawCall("health", { url, token: "wrong-token" });
    assert.equal(result.code, 1);
    assert.equal(result.json.ok, false);
    // The same JSON the CLI prints against the real upstream gateway (compared live in gateway-bridge.interop).
    assert.deepEqual(result.json.error, {
      type: "gateway_request_error",
      code: "INVALID_REQUEST",
      message: MISMATCH,
      details: {
        code: "AUTH_TOKEN_MISMATCH",
        authReason: "token_mismatch",
        canRetryWithDeviceToken: false,
        recommendedNextStep: "update_auth_credentials",
      },
      retryable: false,
    });
    assert.match(result.stderr, /gateway connect failed: GatewayClientRequestError: unauthorized: gateway token mismatch/);
  });
});
