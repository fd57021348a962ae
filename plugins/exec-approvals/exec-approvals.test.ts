import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTestHost } from "@talon/sdk/testing";
import { choiceFor, parseRequestedApproval } from "./approval.ts";

// The shape upstream 2026.9.6 broadcasts (buildRequestedApprovalEvent over the stored request).
const requested = (request: Record<string, unknown>, id = "appr-1") => ({
  approvalKind: "exec",
  id,
  request: {
    command: "rm -rf /",
    commandArgv: ["rm", "-rf", "/"],
    cwd: "/home/u",
    host: "gateway",
    sessionKey: "agent:main:main",
    agentId: "main",
    turnSourceChannel: "telegram",
    turnSourceTo: "42",
    ...request,
  },
  createdAtMs: 1,
  expiresAtMs: 2,
});

describe("exec approvals", () => {
  test("a requested approval becomes an exec action on its session", () => {
    const approval = parseRequestedApproval(requested({}))!;
    assert.equal(approval.id, "appr-1");
    assert.equal(approval.input.tool, "exec");
    assert.equal(approval.input.command, "rm -rf /");
    assert.equal(approval.input.sessionKey, "agent:main:main");
    assert.equal(approval.input.channel, "telegram");
    assert.deepEqual(approval.input.routing?.deliveryContext, { channel: "telegram", to: "42" });
    assert.equal(approval.input.fields!.length, 1, "argv equal to the command is not repeated");
    const differing = parseRequestedApproval(requested({ command: "ls", commandArgv: ["sh", "-c", "rm -rf /"] }))!;
    assert.deepEqual(
      differing.input.fields!.map((field) => field.value),
      ["ls", "sh -c rm -rf /"],
      "the display text and the argv are both scanned",
    );
    assert.equal(parseRequestedApproval({ ...requested({}), approvalKind: "plugin" }), undefined);
    assert.equal(parseRequestedApproval({ id: "x", request: { cwd: "/" } }), undefined);
    assert.equal(parseRequestedApproval(null), undefined);
  });

  test("verdict to answer: deny on block, allow-once on allow, nothing on review (defaults)", () => {
    const defaults = { on_allow: "allow-once", on_review: "none", on_block: "deny" } as const;
    assert.equal(choiceFor("block", defaults), "deny");
    assert.equal(choiceFor("allow", defaults), "allow-once");
    assert.equal(choiceFor("review", defaults), "none");
    assert.equal(choiceFor("review", { ...defaults, on_review: "deny" }), "deny");
  });

  test("in bridge mode the approval event is evaluated once, as an exec action", async () => {
    const host = await createTestHost({
      plugins: [new URL("./index.ts", import.meta.url)],
      config: { gateway: { runtime_mode: "bridge_client" } },
    });
    const evaluations = await host.ingestFrame(
      { type: "event", event: "exec.approval.requested", payload: requested({ command: "git status", commandArgv: ["git", "status"] }) },
      { mode: "bridge", kind: "event", event: "exec.approval.requested" },
    );
    assert.equal(evaluations.length, 1, "the generic extractor does not evaluate it a second time");
    const evaluation = evaluations[0]!;
    assert.ok(evaluation.status === "decided");
    assert.equal(evaluation.record.action.tool, "exec");
    assert.equal(evaluation.record.action.id, "appr-1");
    assert.equal(evaluation.record.action.source, "exec.approval.requested");
    // In standalone mode the event is an ordinary frame for the generic extractor.
    const standalone = await host.ingestFrame(
      { type: "event", event: "exec.approval.requested", payload: requested({}, "appr-2") },
      { mode: "standalone", kind: "event", event: "exec.approval.requested" },
    );
    assert.equal(standalone.length, 1);
    assert.ok(standalone[0]!.status === "decided" && standalone[0]!.record.action.tool === undefined);
  });
});
