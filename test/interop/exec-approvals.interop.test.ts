/**
 * Bridge mode acts on the real upstream gateway (openclaw@2026.9.6): a client asks upstream for
 * approval to run `rm -rf /` and `git status`; upstream broadcasts `exec.approval.requested` to
 * approval clients, Talon's bridge is one, evaluates the command and answers
 * `exec.approval.resolve`. The requesting client's `exec.approval.request` call returns the
 * decision Talon gave.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { TestHost } from "../helpers/host.ts";
import { startTestHost } from "../helpers/host.ts";
import { openclawCall, startUpstreamGateway, type UpstreamGateway } from "../helpers/upstream.ts";

let upstream: UpstreamGateway | undefined;

async function until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

after(async () => {
  await upstream?.stop();
});

/** Ask upstream for approval as an agent runtime would, and return upstream's answer. */
async function requestApproval(gateway: UpstreamGateway, command: string, argv: string[]): Promise<any> {
  const result = await openclawCall("exec.approval.request", {
    url: gateway.url,
    token: gateway.token,
    params: { command, commandArgv: argv, host: "gateway", cwd: "/tmp", sessionKey: "agent:main:main", agentId: "main", timeoutMs: 60_000 },
    timeoutMs: 90_000,
  });
  assert.equal(result.code, 0, `exec.approval.request failed:\n${result.stdout}\n${result.stderr}`);
  return result.json;
}

test("rm -rf / is denied and git status is allowed once, by Talon, through upstream's own approval flow", async () => {
  upstream = await startUpstreamGateway();
  // Started inside the test: startTestHost stops the host after the test that started it.
  const talon: TestHost = await startTestHost(
    {
      // Upstream shows an approval requested by another device only to operator.admin (or to
      // reviewers it names), so the bridge asks for admin as well as approvals.
      gateway: {
        runtime_mode: "bridge_client",
        url: upstream.url,
        token: upstream.token,
        bridge: { scopes: ["operator.admin", "operator.approvals", "operator.read", "operator.write"] },
      },
      plugins: {
        builtin: [
          "decision-policy",
          "frame-extract",
          "decision-events",
          "exec-approvals",
          "defender-command",
          "defender-prompt",
          "tool-policy",
        ],
      },
      security: { protect_paths: [] },
    },
    { gateway: true },
  );
  await until(() => talon.host.gateway.connected, "the bridge to connect upstream", 30_000);
  const denied = await requestApproval(upstream, "rm -rf /", ["rm", "-rf", "/"]);
  assert.equal(denied.decision, "deny", JSON.stringify(denied));
  const allowed = await requestApproval(upstream, "git status", ["git", "status"]);
  assert.equal(allowed.decision, "allow-once", JSON.stringify(allowed));
});
