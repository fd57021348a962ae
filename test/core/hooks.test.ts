import assert from "node:assert/strict";
import { test } from "node:test";
import { DROP, STAGE, type Action, type DecisionDraft, type FrameContext, type RiskReport } from "@talon/sdk";
import { createHookFacades, createHostHooks, type ContainmentPolicy } from "../../core/hooks.ts";
import { normalizeAction } from "../../core/defender/normalize.ts";
import { createRiskReport } from "../../core/defender/report.ts";
import { createSilentLogger } from "../../core/log.ts";

const log = createSilentLogger();
const policy: ContainmentPolicy = { hookErrorAction: () => "block" };

function setup() {
  const hooks = createHostHooks();
  const gate = { started: false };
  const facadesFor = (plugin: string, loadIndex = 0, state = { active: true }) =>
    createHookFacades(hooks, { plugin, loadIndex, gate, log, policy, state });
  return { hooks, gate, facadesFor };
}

const frameContext = (overrides: Partial<FrameContext> = {}): FrameContext => ({
  mode: "standalone",
  kind: "req",
  method: "sessions.list",
  ...overrides,
});

function action(input: Parameters<typeof normalizeAction>[0]): Action {
  return normalizeAction(input, { origin: "rpc", source: "test" });
}

test("the host's hook table is frozen and facades can tap but not call", () => {
  const { hooks, facadesFor } = setup();
  assert.ok(Object.isFrozen(hooks));
  const facades = facadesFor("p");
  assert.ok(Object.isFrozen(facades.frame));
  assert.equal((facades.frame as unknown as { promise?: unknown }).promise, undefined);
  assert.equal((facades.score as unknown as { callAsync?: unknown }).callAsync, undefined);
  assert.deepEqual(Object.keys(facades.frame).sort(), ["tap", "tapPromise"]);
});

test("stages order taps: host policy first, observers last, registration order within a stage", async () => {
  const { hooks, facadesFor } = setup();
  const seen: string[] = [];
  facadesFor("observer").frame.tap({ stage: STAGE.OBSERVER }, () => void seen.push("observer"));
  facadesFor("detector-a").frame.tap(() => void seen.push("detector-a"));
  facadesFor("policy").frame.tap({ stage: STAGE.HOST_POLICY }, () => void seen.push("policy"));
  facadesFor("detector-b").frame.tap({ stage: STAGE.DETECTOR }, () => void seen.push("detector-b"));
  await hooks.frame.promise({ type: "req" }, frameContext());
  assert.deepEqual(seen, ["policy", "detector-a", "detector-b", "observer"]);
});

test("frame filters: a plugin is never called for frame types or methods it did not ask for", async () => {
  const { hooks, facadesFor } = setup();
  const calls: string[] = [];
  facadesFor("sessions-only").frame.tap(
    { filter: { frameType: "req", method: "sessions." } },
    (_frame, ctx) => void calls.push(`sessions:${ctx.method}`),
  );
  facadesFor("events-only").frame.tap(
    { filter: { frameType: ["event"], event: ["exec.approval."] } },
    (_frame, ctx) => void calls.push(`event:${ctx.event}`),
  );
  await hooks.frame.promise({}, frameContext({ method: "sessions.list" }));
  await hooks.frame.promise({}, frameContext({ method: "health" }));
  await hooks.frame.promise({}, frameContext({ kind: "event", method: undefined, event: "exec.approval.requested" }));
  await hooks.frame.promise({}, frameContext({ kind: "event", method: undefined, event: "tick" }));
  assert.deepEqual(calls, ["sessions:sessions.list", "event:exec.approval.requested"]);
});

test("a frame tap can replace or drop a frame; later taps do not see a dropped frame", async () => {
  const { hooks, facadesFor } = setup();
  let lateCalls = 0;
  facadesFor("rewriter").frame.tap({ stage: STAGE.PRE }, (frame) => ({ ...frame, annotated: true }));
  facadesFor("dropper").frame.tap((frame) => ((frame as { drop?: boolean }).drop ? DROP : undefined));
  facadesFor("late").frame.tap({ stage: STAGE.OBSERVER }, () => void lateCalls++);
  const kept = await hooks.frame.promise({ id: 1 }, frameContext());
  assert.deepEqual(kept, { id: 1, annotated: true });
  const dropped = await hooks.frame.promise({ drop: true }, frameContext());
  assert.equal(dropped, DROP);
  assert.equal(lateCalls, 1);
});

test("score filters match normalised tool names and channels", async () => {
  const { hooks, facadesFor } = setup();
  const seen: string[] = [];
  facadesFor("exec-detector").score.tap({ filter: { tool: "exec", channel: ["discord"] } }, (a) => void seen.push(a.id));
  for (const [id, tool, channel] of [
    ["1", "Bash", "discord"],
    ["2", "exec", "slack"],
    ["3", "browser", "discord"],
    ["4", "exec", "Discord "],
  ] as const) {
    const a = action({ id, tool, channel });
    await hooks.score.promise(a, createRiskReport(a));
  }
  assert.deepEqual(seen, ["1", "4"], "Bash normalises to exec; channel ids are trimmed and lowercased");
});

test("a throwing score tap is contained and fails closed with the plugin's name", async () => {
  const { hooks, facadesFor } = setup();
  facadesFor("broken-detector").score.tap(() => {
    throw new Error("boom");
  });
  facadesFor("async-broken").score.tapPromise(async () => {
    throw new Error("async boom");
  });
  let healthyRan = false;
  facadesFor("healthy").score.tap(() => {
    healthyRan = true;
  });
  const a = action({ id: "x", command: "ls" });
  const report = createRiskReport(a);
  await hooks.score.promise(a, report);
  assert.equal(healthyRan, true);
  assert.equal(report.floor, "block");
  const detectors = report.findings
    .filter((f) => f.tags.includes("hook_error"))
    .map((f) => f.detector)
    .sort();
  assert.deepEqual(detectors, ["async-broken", "broken-detector"]);
  assert.match(report.findings[0]!.reasons[0]!, /score tap of plugin (broken-detector|async-broken) failed/);
});

test("a throwing decide tap forces the fail-closed verdict", async () => {
  const { hooks, facadesFor } = setup();
  facadesFor("classifier").decide.tap({ stage: STAGE.HOST_POLICY }, (draft) => ({ ...draft, action: "allow", classified: true }));
  facadesFor("buggy-policy").decide.tap(() => {
    throw new Error("policy crashed");
  });
  const a = action({ id: "x", command: "ls" });
  const report: RiskReport = createRiskReport(a);
  const draft: DecisionDraft = { action: "allow", risk: 0, reasons: [], tags: [], classified: false };
  const result = (await hooks.decide.promise(draft, a, report)) as DecisionDraft;
  assert.equal(result.action, "block");
  assert.ok(result.tags.includes("hook_error"));
});

test("a sync tap that returns a promise is refused instead of silently misbehaving", async () => {
  const { hooks, facadesFor } = setup();
  facadesFor("wrong-kind").frame.tap((async () => ({ replaced: true })) as never);
  const result = await hooks.frame.promise({ original: true }, frameContext());
  assert.deepEqual(result, { original: true }, "the frame is kept, the misuse is contained");
});

test("tapping after start is refused with a coded error", () => {
  const { gate, facadesFor } = setup();
  const facades = facadesFor("late-plugin");
  gate.started = true;
  assert.throws(() => facades.score.tap(() => undefined), { code: "TALON_HOOK_TAP_AFTER_START" });
});

test("bad tap options are refused at registration", () => {
  const { facadesFor } = setup();
  const facades = facadesFor("p");
  assert.throws(() => facades.score.tap({ filter: { tool: [] } }, () => undefined), { code: "TALON_HOOK_BAD_TAP" });
  assert.throws(() => facades.score.tap({ filter: { verdict: "block" } }, () => undefined), { code: "TALON_HOOK_BAD_TAP" });
  assert.throws(() => facades.start.tap({ filter: {} as never }, () => undefined), { code: "TALON_HOOK_BAD_TAP" });
  assert.throws(() => facades.score.tap({ stage: Number.NaN }, () => undefined), { code: "TALON_HOOK_BAD_TAP" });
  assert.throws(() => (facades.score.tap as (x: unknown) => void)({}), { code: "TALON_HOOK_BAD_TAP" });
});

test("a switched-off plugin's taps no longer run", async () => {
  const { hooks, facadesFor } = setup();
  const state = { active: true };
  let calls = 0;
  facadesFor("optional", 0, state).frame.tap(() => void calls++);
  await hooks.frame.promise({}, frameContext());
  state.active = false;
  await hooks.frame.promise({}, frameContext());
  assert.equal(calls, 1);
});

test("stop taps run in reverse load order", async () => {
  const { hooks, facadesFor } = setup();
  const order: string[] = [];
  facadesFor("first", 0).stop.tap(() => void order.push("first"));
  facadesFor("second", 1).stop.tap(() => void order.push("second"));
  facadesFor("third", 2).stop.tap(() => void order.push("third"));
  facadesFor("first", 0).start.tap(() => void order.push("start-first"));
  facadesFor("second", 1).start.tap(() => void order.push("start-second"));
  await hooks.start.promise();
  await hooks.stop.promise();
  assert.deepEqual(order, ["start-first", "start-second", "third", "second", "first"]);
});

test("rpc taps: the first answer wins and a refusal (RpcError) is passed through unlogged", async () => {
  const { hooks, facadesFor } = setup();
  facadesFor("interceptor")
    .rpc.for("echo")
    .tap({ stage: STAGE.PRE }, (params) => ((params as { intercept?: boolean }).intercept ? "intercepted" : undefined));
  facadesFor("owner")
    .rpc.for("echo")
    .tap((params) => ({ echoed: params }));
  assert.equal(await hooks.rpc.get("echo")!.promise({ intercept: true }, { method: "echo", origin: "internal" }), "intercepted");
  assert.deepEqual(await hooks.rpc.get("echo")!.promise({ a: 1 }, { method: "echo", origin: "internal" }), { echoed: { a: 1 } });
  assert.equal(hooks.rpc.get("never-tapped"), undefined, "keys nobody tapped are never materialised");
});
