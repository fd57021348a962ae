// Bridge mode against a real upstream-protocol server: Talon's own standalone server plays the
// upstream gateway (the two halves interoperate, unlike the seed's: seed-defender §15 item 20),
// and a scripted fake covers what a real gateway will not do on demand.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isTalonError } from "@talon/sdk";
import { startTestHost, type TestHost } from "../helpers/host.ts";
import { freePort } from "../helpers/upstream.ts";
import { FakeUpstream } from "./fake-upstream.ts";
import { waitUntil } from "./wait.ts";

const probe = fileURLToPath(new URL("./fixtures/gateway-probe", import.meta.url));

const bridgeStatus = (bridge: TestHost) => bridge.host.gateway.stats().bridge!;

function startUpstream(port: number): Promise<TestHost> {
  return startTestHost({
    gateway: { server: { bind: `127.0.0.1:${port}` } },
    plugins: { load: [probe], entries: { "gateway-probe": { config: { serveApprovals: true } } } },
  });
}

function startBridge(
  url: string,
  extra: Record<string, unknown> = {},
  probeConfig: Record<string, unknown> = { resolveApprovals: "deny" },
): Promise<TestHost> {
  const { bridge, ...gateway } = extra as { bridge?: Record<string, unknown> };
  return startTestHost({
    gateway: {
      runtime_mode: "bridge_client",
      url,
      bridge: { reconnect_initial_ms: 250, reconnect_max_ms: 1000, healthy_after_ms: 0, ...bridge },
      ...gateway,
    },
    plugins: { load: [probe], entries: { "gateway-probe": { config: probeConfig } } },
  });
}

describe("bridge to a Talon upstream", async () => {
  const port = await freePort();
  let upstream = await startUpstream(port);
  // Least privilege on purpose: without operator.admin, admin-only upstream methods are refused.
  const bridge = await startBridge(`ws://127.0.0.1:${port}/ws`, {
    bridge: { max_pending_calls: 3, scopes: ["operator.read", "operator.write", "operator.approvals"] },
  });
  after(() => bridge.stop());

  test("connects as gateway-client/backend and is granted the scopes it asked for", async () => {
    await waitUntil(() => bridge.host.gateway.connected, "the bridge to connect");
    const status = bridgeStatus(bridge);
    assert.equal(status.state, "connected");
    assert.equal(status.protocol, 4);
    assert.deepEqual(status.grantedScopes, ["operator.read", "operator.write", "operator.approvals"]);
    assert.equal(status.url, `ws://127.0.0.1:${port}/ws`);
    const health = (await bridge.host.call("health", {})) as { ok: boolean; checks: { upstream: boolean } };
    assert.equal(health.checks.upstream, true);
  });

  test("ctx.gateway.call performs upstream RPCs; upstream refusals keep upstream's error", async () => {
    const health = (await bridge.host.gateway.call("health")) as { service: string };
    assert.equal(health.service, "talon");
    const status = (await bridge.host.gateway.call("status", {})) as { mode: string };
    assert.equal(status.mode, "standalone", "the upstream's own status");
    await assert.rejects(bridge.host.gateway.call("probe.admin", {}), (error) => {
      assert.ok(isTalonError(error));
      assert.equal(error.code, "TALON_RPC_FORBIDDEN");
      assert.deepEqual(error.details?.upstream, {
        code: "FORBIDDEN",
        message: "missing scope: operator.admin",
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
      });
      return true;
    });
    await assert.rejects(
      bridge.host.gateway.call("probe.nested", { target: {} }),
      /invalid probe\.nested params: at \/target: must have required property 'keys'/,
    );
  });

  test("upstream events go through the frame hook (mode bridge) and the defender's extraction", async () => {
    upstream.host.events.emit("probe.read", { hello: "bridge" });
    await waitUntil(
      () => probeCalls(bridge).then((calls) => calls.extracted.some((entry) => entry.event === "probe.read")),
      "the event to be extracted",
    );
    const calls = await probeCalls(bridge);
    const frame = calls.frames.find((entry) => entry.event === "probe.read")!;
    assert.equal(frame.mode, "bridge");
    assert.equal(frame.kind, "event");
    assert.equal(typeof frame.seq, "number");
    assert.ok(calls.extracted.every((entry) => entry.mode === "bridge"));
  });

  test("a frame tap answers exec.approval.requested with exec.approval.resolve upstream", async () => {
    upstream.host.events.emit("exec.approval.requested", { id: "approval-1", request: { command: "rm -rf /" } });
    await waitUntil(
      () => probeCalls(upstream).then((calls) => calls.calls.find((call) => call.method === "exec.approval.resolve")),
      "the upstream resolve call",
    );
    const upstreamCalls = await probeCalls(upstream);
    assert.deepEqual(upstreamCalls.calls.find((call) => call.method === "exec.approval.resolve")!.params, {
      id: "approval-1",
      decision: "deny",
    });
    await waitUntil(() => probeCalls(bridge).then((calls) => calls.resolutions.length > 0), "the resolution result");
    assert.deepEqual((await probeCalls(bridge)).resolutions[0], {
      id: "approval-1",
      result: { ok: true, id: "approval-1", decision: "deny" },
    });
  });

  test("a decision observer calls upstream RPCs", async () => {
    const observer = await startBridge(`ws://127.0.0.1:${port}`, {}, { resolveDecisions: true });
    await waitUntil(() => observer.host.gateway.connected, "the observer's bridge to connect");
    const evaluation = await observer.host.defender.evaluate({ id: "decided-1", tool: "exec", command: "echo hello" });
    const verdict = observer.host.defender.decisionOf(evaluation)!.action;
    await waitUntil(
      () => probeCalls(upstream).then((calls) => calls.calls.find((call) => (call.params as { id?: string }).id === "decided-1")),
      "the observer's upstream call",
    );
    const call = (await probeCalls(upstream)).calls.find((entry) => (entry.params as { id?: string }).id === "decided-1")!;
    assert.deepEqual(call.params, { id: "decided-1", decision: verdict === "allow" ? "allow-once" : "deny" });
    await observer.stop();
  });

  test("calls are bounded and time out with a clear error", async () => {
    await assert.rejects(bridge.host.gateway.call("probe.hang", {}, { timeoutMs: 50 }), /upstream probe\.hang did not answer within 50 ms/);
    const hanging = [
      bridge.host.gateway.call("probe.hang", {}),
      bridge.host.gateway.call("probe.hang", {}),
      bridge.host.gateway.call("probe.hang", {}),
    ];
    await assert.rejects(bridge.host.gateway.call("health"), /3 calls are already waiting for an answer/);
    assert.equal(bridgeStatus(bridge).pendingCalls, 3);
    await assert.rejects(bridge.host.gateway.call("x", 1n as unknown), /not JSON-serialisable/);
    await assert.rejects(bridge.host.gateway.call("", {}), /needs a method name/);
    // The upstream goes away: waiting calls fail at once with a reason, new calls are refused.
    await upstream.stop();
    for (const call of hanging) await assert.rejects(call, (error) => isTalonError(error) && error.code === "TALON_GATEWAY_NOT_CONNECTED");
    await waitUntil(() => !bridge.host.gateway.connected, "the bridge to notice");
    await assert.rejects(bridge.host.gateway.call("health"), (error) => {
      assert.ok(isTalonError(error));
      assert.equal(error.code, "TALON_GATEWAY_NOT_CONNECTED");
      assert.match(error.message, /the upstream gateway at ws:\/\/127\.0\.0\.1:\d+\/ws is not connected/);
      return true;
    });
    assert.equal(((await bridge.host.call("health", {})) as { ok: boolean }).ok, false, "health reports the lost upstream");
  });

  test("reconnects by itself when the upstream comes back, and the backoff resets after a healthy connection", async () => {
    await waitUntil(() => bridgeStatus(bridge).attempt >= 2, "a failed reconnect attempt");
    upstream = await startUpstream(port);
    await waitUntil(() => bridge.host.gateway.connected, "the bridge to reconnect", 15_000);
    assert.ok(bridgeStatus(bridge).reconnects >= 2);
    assert.equal(((await bridge.host.gateway.call("health")) as { ok: boolean }).ok, true);
    await upstream.stop();
    await waitUntil(() => bridgeStatus(bridge).state === "waiting", "the next disconnect");
    assert.equal(bridgeStatus(bridge).attempt, 1, "a healthy connection resets the attempt count (seed-defender §15 item 21)");
    upstream = await startUpstream(port);
    await waitUntil(() => bridge.host.gateway.connected, "the second reconnect", 15_000);
  });
});

const probeHolding = async (target: TestHost) => ((await target.host.call("probe.holding", {})) as { holding: number }).holding;

/** The probe plugin's records on a host. */
async function probeCalls(target: TestHost): Promise<{
  calls: { method: string; params: unknown }[];
  frames: { kind: string; event?: string; mode: string; seq?: unknown }[];
  extracted: { event?: string; mode: string }[];
  resolutions: { id: unknown; result?: unknown; error?: string }[];
}> {
  return (await target.host.call("probe.calls", {})) as never;
}

describe("bridge against a scripted upstream", () => {
  test("waits for the challenge, then sends upstream's connect: gateway-client, backend, protocol 3..4, scopes, token", async () => {
    const fake = await FakeUpstream.start({ challengeDelayMs: 300 });
    after(() => fake.stop());
    const bridge = await startBridge(fake.url, { token: "tok-abc", bridge: { scopes: ["operator.read", "operator.approvals"] } });
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    const connection = fake.last!;
    assert.equal(connection.spokeBeforeChallenge, false);
    const { params } = connection.connect;
    assert.equal(params.minProtocol, 3);
    assert.equal(params.maxProtocol, 4);
    assert.equal(params.client.id, "gateway-client");
    assert.equal(params.client.mode, "backend");
    assert.equal(params.role, "operator");
    assert.deepEqual(params.scopes, ["operator.read", "operator.approvals"]);
    assert.deepEqual(params.auth, { token: "tok-abc" });
    assert.ok(params.caps.includes("approvals"));
    await bridge.stop();
  });

  test("a password wins over a token, as on the server side", async () => {
    const fake = await FakeUpstream.start();
    after(() => fake.stop());
    const bridge = await startBridge(fake.url, { token: "tok", password: "pw-1" });
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    assert.deepEqual(fake.last!.connect.params.auth, { password: "pw-1" });
    await bridge.stop();
  });

  test("missing scopes are reported, not silently accepted", async () => {
    const fake = await FakeUpstream.start({ grant: [] });
    after(() => fake.stop());
    const bridge = await startBridge(fake.url);
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    assert.deepEqual(bridgeStatus(bridge).grantedScopes, []);
    await bridge.stop();
  });

  test("a retryable refusal is retried no sooner than upstream's retryAfterMs", async () => {
    const fake = await FakeUpstream.start({
      refuse: {
        error: {
          code: "UNAVAILABLE",
          message: "gateway starting; retry shortly",
          retryable: true,
          retryAfterMs: 5000,
          details: { reason: "startup-sidecars" },
        },
        closeCode: 1013,
        closeReason: "gateway starting",
      },
    });
    after(() => fake.stop());
    const bridge = await startBridge(fake.url);
    await waitUntil(() => bridgeStatus(bridge).state === "waiting", "the refusal");
    const status = bridgeStatus(bridge);
    assert.equal(status.lastError, "UNAVAILABLE: gateway starting; retry shortly");
    assert.ok(status.nextRetryInMs! > 3000, `next retry scheduled after retryAfterMs (in ${status.nextRetryInMs} ms)`);
    await bridge.stop();
  });

  test("a wrong token is logged as a refusal and retried with a growing delay", async () => {
    const port = await freePort();
    const upstream = await startUpstream(port);
    const bridge = await startBridge(`ws://127.0.0.1:${port}`, { token: "wrong-token" });
    await waitUntil(() => bridgeStatus(bridge).attempt >= 2, "two refused attempts", 15_000);
    const status = bridgeStatus(bridge);
    assert.equal(status.connected, false);
    assert.match(status.lastError!, /INVALID_REQUEST: unauthorized: gateway token mismatch/);
    await assert.rejects(
      bridge.host.gateway.call("health"),
      /not connected \(waiting; last error: INVALID_REQUEST: unauthorized: gateway token mismatch/,
    );
    await bridge.stop();
    await upstream.stop();
  });

  test("a silent upstream is dropped after two tick intervals and reconnected", async () => {
    const fake = await FakeUpstream.start({ tickIntervalMs: 100 });
    after(() => fake.stop());
    const bridge = await startBridge(fake.url);
    await waitUntil(() => fake.connections.length >= 2, "a reconnect after the tick timeout", 15_000);
    await waitUntil(() => bridge.host.gateway.connected, "the new connection");
    await bridge.stop();
  });

  test("gaps in upstream seq are counted; an upstream request gets an answer from the same dispatcher", async () => {
    const fake = await FakeUpstream.start();
    after(() => fake.stop());
    const bridge = await startBridge(fake.url);
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    for (const seq of [1, 2, 5]) fake.send({ type: "event", event: "probe.read", payload: { seq }, seq });
    await waitUntil(() => bridgeStatus(bridge).eventsMissed === 2, "the gap to be counted");
    fake.send({ type: "req", id: "u1", method: "health", params: {} });
    fake.send({ type: "req", id: "u2", method: "status", params: {} });
    await waitUntil(() => fake.last!.received.filter((frame) => frame.type === "res").length === 2, "two answers");
    const answers = fake.last!.received.filter((frame) => frame.type === "res");
    assert.equal(answers.find((frame) => frame.id === "u1").ok, true);
    assert.equal(answers.find((frame) => frame.id === "u2").error.message, "missing scope: operator.read");
    await bridge.stop();
  });

  test("frame taps waiting on their own upstream calls never deadlock the bridge", async () => {
    const port = await freePort();
    const upstream = await startUpstream(port);
    const bridge = await startBridge(`ws://127.0.0.1:${port}`, { bridge: { max_inflight_frames: 2 } });
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    // Two screening slots, both taps waiting on upstream answers that arrive on the same socket.
    for (let i = 0; i < 8; i++) upstream.host.events.emit("exec.approval.requested", { id: `burst-${i}` });
    await waitUntil(() => probeCalls(bridge).then((calls) => calls.resolutions.length === 8), "every approval to be resolved", 15_000);
    const { resolutions } = await probeCalls(bridge);
    assert.ok(
      resolutions.every((entry) => entry.error === undefined),
      JSON.stringify(resolutions.filter((entry) => entry.error)),
    );
    await bridge.stop();
    await upstream.stop();
  });

  test("an overloaded bridge keeps a bounded backlog and counts what it could not screen", async () => {
    const fake = await FakeUpstream.start();
    after(() => fake.stop());
    const bridge = await startBridge(fake.url, { bridge: { max_inflight_frames: 1 } });
    await waitUntil(() => bridge.host.gateway.connected, "hello-ok");
    for (let seq = 1; seq <= 10; seq++) fake.send({ type: "event", event: "probe.hold", payload: {}, seq });
    await waitUntil(() => bridgeStatus(bridge).framesDropped === 5, "the overflow to be counted");
    assert.equal(bridgeStatus(bridge).screening, 1);
    assert.equal(bridgeStatus(bridge).backlog, 4);
    // Answers still flow while the plugins are busy: the socket is never paused.
    const call = bridge.host.gateway.call("health");
    const sent = await waitUntil(() => fake.last!.received.find((frame) => frame.method === "health"), "the call to reach upstream");
    fake.send({ type: "res", id: sent.id, ok: true, payload: { answered: true } });
    assert.deepEqual(await call, { answered: true });
    for (let i = 0; i < 5; i++) {
      await waitUntil(() => probeHolding(bridge).then((holding) => holding === 1), "the next held frame");
      await bridge.host.call("probe.release", {});
    }
    await waitUntil(() => bridgeStatus(bridge).screening === 0 && bridgeStatus(bridge).backlog === 0, "the backlog to drain");
    await bridge.stop();
  });

  test("an unparsable gateway.url never puts its credentials in the status or in call errors", async () => {
    const broken = await startBridge("wss//bridge:s3cret@upstream.example/ws?token=abc123");
    await waitUntil(() => bridgeStatus(broken).lastError !== undefined, "the failed attempt");
    const status = bridgeStatus(broken);
    assert.match(status.lastError!, /invalid gateway\.url/);
    assert.doesNotMatch(JSON.stringify(status), /s3cret|abc123/);
    await assert.rejects(broken.host.gateway.call("health"), (error) => isTalonError(error) && !/s3cret|abc123/.test(error.message));
    await broken.stop();
  });

  test("ctx.gateway.call outside bridge mode says so", async () => {
    const standalone = await startTestHost();
    await assert.rejects(
      standalone.host.gateway.call("health"),
      (error) => isTalonError(error) && error.code === "TALON_GATEWAY_NOT_CONNECTED" && /not in bridge mode/.test(error.message),
    );
  });
});
