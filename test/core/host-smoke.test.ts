import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";

const keywordPlugin = fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url));

test("a path plugin and a bundled plugin evaluate an action together", async () => {
  const { host } = await startTestHost({ plugins: { builtin: ["decision-policy"], load: [keywordPlugin] } }, { gateway: false });
  const names = host.plugins.map((p) => `${p.name}:${p.sourceKind}`);
  assert.deepEqual(names.sort(), ["decision-policy:bundled", "score-keyword:path"]);
  const evaluation = await host.defender.evaluate({ id: "a1", tool: "bash", channel: "discord", command: "echo forbidden" });
  assert.equal(evaluation.status, "decided");
  const decision = host.defender.decisionOf(evaluation)!;
  assert.equal(decision.action, "block");
  assert.ok(decision.tags.includes("keyword"));
  assert.ok(decision.tags.includes("tool_risk_bonus"), "bash is normalised to exec and gets exec's bonus");
  const benign = host.defender.decisionOf(
    await host.defender.evaluate({ id: "a2", tool: "exec", channel: "discord", command: "git status" }),
  )!;
  assert.equal(benign.action, "allow");
  assert.equal(benign.risk_score, 30);
});

test("the upstream handshake works against the standalone server", async () => {
  const { url, token } = await startTestHost();
  const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
  assert.equal(client.hello.type, "hello-ok");
  assert.equal(client.hello.protocol, 4);
  assert.ok(client.hello.features.methods.includes("health"));
  const health = await client.call("health", {});
  assert.equal(health.ok, true);
  await client.close();
});
