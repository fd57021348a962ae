/**
 * The OpenClaw guard module (deploy/openclaw-guard) driven as OpenClaw drives it, against a real
 * Talon host: hook events and contexts shaped like openclaw 2026.9.6's (openclaw-guard.md).
 */
import { after } from "node:test";
import { Guard, parseConfig, type GuardConfig } from "../../deploy/openclaw-guard/index.js";

export interface TestGuard {
  guard: Guard;
  logs: string[];
}

/** A guard for `url`/`token` with `overrides`; stopped after the test file. */
export function testGuard(url: string, token: string, overrides: Partial<GuardConfig> & Record<string, unknown> = {}): TestGuard {
  const logs: string[] = [];
  const guard = new Guard(parseConfig({ url, token, heartbeatIntervalMs: 60_000, ...overrides }), {
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    openclawVersion: "2026.9.6",
  });
  after(() => guard.stop());
  return { guard, logs };
}

let calls = 0;

/** A `before_tool_call` event and context as OpenClaw gives them. */
export function toolCall(toolName: string, params: unknown, session = "agent:main:guard-test") {
  const n = ++calls;
  const runId = `run-${n}`;
  const toolCallId = `call_${n}`;
  return {
    event: { toolName, params, runId, toolCallId },
    ctx: {
      toolName,
      agentId: "main",
      sessionKey: session,
      sessionId: "6a8bddd9-0000-4000-8000-000000000000",
      runId,
      toolCallId,
      channelId: session,
      requester: { channel: "webchat", senderId: "gateway-client", senderIsOwner: true },
    },
  };
}

/** The verdict a hook result stands for. */
export function verdictOf(result: unknown): "allow" | "review" | "block" {
  if (result === undefined) return "allow";
  const value = result as { block?: boolean; requireApproval?: unknown };
  if (value.block === true) return "block";
  if (value.requireApproval) return "review";
  throw new Error(`not a before_tool_call result: ${JSON.stringify(result)}`);
}
