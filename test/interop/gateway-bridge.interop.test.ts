// Talon in bridge mode against the real upstream gateway (openclaw@2026.9.6): it connects,
// receives upstream's events (health, tick), calls upstream RPCs, answers an exec approval
// through a frame tap, and reconnects by itself after the upstream restarts. One gateway, one
// restart: each start costs 15-30 s and about 1 GB.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost, type TestHost } from "../helpers/host.ts";
import { openclawCall, startUpstreamGateway, type UpstreamGateway } from "../helpers/upstream.ts";
import { waitUntil } from "../gateway/wait.ts";

const probe = fileURLToPath(new URL("../gateway/fixtures/gateway-probe", import.meta.url));

interface ProbeRecords {
  frames: { kind: string; event?: string; mode: string }[];
  extracted: { event?: string; mode: string }[];
  resolutions: { id: unknown; result?: unknown; error?: string }[];
}

describe("bridge to the real upstream gateway", { timeout: 600_000 }, async () => {
  // Hosts start in the suite body: a host started in a before hook would be stopped by the
  // helper's after() as soon as that hook ends.
  const upstream: UpstreamGateway = await startUpstreamGateway();
  after(() => upstream.stop());
  const bridge: TestHost = await startTestHost({
    gateway: {
      runtime_mode: "bridge_client",
      url: `${upstream.url}/ws`,
      token: upstream.token,
      // Upstream shows an approval another operator connection requested only to that connection
      // and to admins, so the test bridge also asks for admin to see the test's own request.
      bridge: {
        reconnect_initial_ms: 500,
        reconnect_max_ms: 4000,
        healthy_after_ms: 1000,
        scopes: ["operator.read", "operator.write", "operator.approvals", "operator.admin"],
      },
    },
    plugins: { load: [probe], entries: { "gateway-probe": { config: { resolveApprovals: "deny" } } } },
  });
  const records = async () => (await bridge.host.call("probe.calls", {})) as ProbeRecords;

  test("connects as gateway-client/backend and keeps the scopes it asks for", async () => {
    await waitUntil(() => bridge.host.gateway.connected, "the bridge to connect", 60_000);
    const status = bridge.host.gateway.stats().bridge!;
    assert.equal(status.protocol, 4);
    assert.deepEqual(status.grantedScopes, ["operator.read", "operator.write", "operator.approvals", "operator.admin"]);
  });

  test("calls upstream RPCs", async () => {
    const health = (await bridge.host.gateway.call("health", {})) as { ok: boolean; plugins: { loaded: string[] } };
    assert.equal(health.ok, true);
    assert.ok(health.plugins.loaded.length > 0, "upstream's own plugins");
    const usage = (await bridge.host.gateway.call("usage.status", {})) as { providers: unknown[] };
    assert.deepEqual(usage.providers, []);
  });

  test("receives upstream's events (health, tick) through the frame hook and extraction", async () => {
    await waitUntil(async () => (await records()).frames.some((frame) => frame.event === "health"), "a health event", 90_000);
    await waitUntil(async () => (await records()).frames.some((frame) => frame.event === "tick"), "a tick event", 90_000);
    const { frames, extracted } = await records();
    assert.ok(frames.filter((frame) => frame.kind === "event").every((frame) => frame.mode === "bridge"));
    assert.ok(extracted.some((entry) => entry.event === "tick" || entry.event === "health"));
  });

  test("answers upstream's exec.approval.requested with exec.approval.resolve", async () => {
    // Another operator asks for an approval; upstream delivers the request to the bridge, whose
    // frame tap denies it through exec.approval.resolve; the requester learns the decision.
    const requester = await TestClient.connect(upstream.url, {
      token: upstream.token,
      clientId: "cli",
      mode: "cli",
      minProtocol: 4,
      scopes: ["operator.approvals"],
    });
    try {
      const request = await requester.call("exec.approval.request", {
        command: "rm -rf /tmp/talon-interop-probe",
        twoPhase: true,
        timeoutMs: 60_000,
      });
      assert.equal(request.status, "accepted", JSON.stringify(request));
      assert.equal(request.deliveryRoute, "approval-client", "the bridge counts as an approval client");
      await waitUntil(
        async () => (await records()).resolutions.find((entry) => entry.id === request.id),
        "the frame tap to resolve it",
        30_000,
      );
      const resolution = (await records()).resolutions.find((entry) => entry.id === request.id)!;
      assert.equal(resolution.error, undefined, `upstream accepted the resolution: ${JSON.stringify(resolution)}`);
      const decision = await requester.call("exec.approval.waitDecision", { id: request.id }, 30_000);
      assert.equal(decision.decision, "deny");
    } finally {
      await requester.close();
    }
  });

  test("a wrong token: the CLI prints the same refusal from upstream as from Talon", async () => {
    const talon = await startTestHost();
    const [fromUpstream, fromTalon] = await Promise.all([
      openclawCall("health", { url: upstream.url, token: "wrong-token" }),
      openclawCall("health", { url: talon.url, token: "wrong-token" }),
    ]);
    assert.equal(fromUpstream.code, 1);
    assert.equal(fromTalon.code, 1);
    assert.deepEqual(fromTalon.json, fromUpstream.json);
    await talon.stop();
  });

  test("reconnects by itself after the upstream gateway restarts", async () => {
    const reconnectsBefore = bridge.host.gateway.stats().bridge!.reconnects;
    await upstream.restart();
    await waitUntil(
      () => bridge.host.gateway.stats().bridge!.reconnects > reconnectsBefore && bridge.host.gateway.connected,
      "the bridge to reconnect",
      120_000,
    );
    const health = (await bridge.host.gateway.call("health", {})) as { ok: boolean };
    assert.equal(health.ok, true);
  });
});
