import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Evaluation } from "@talon/sdk";
import { scoreGate, startDefenderHost, until } from "./harness.ts";

function ids(evaluations: Evaluation[]): string[] {
  return evaluations.map((evaluation) =>
    evaluation.status === "decided" ? evaluation.record.action.id : `${evaluation.action.id}:${evaluation.status}`,
  );
}

describe("session scheduler", () => {
  test("one evaluation per session at a time, sessions in parallel, FIFO within a session", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { worker_concurrency: 8 } } });
    const gate = scoreGate();
    const settled: string[] = [];
    const track = (promise: Promise<Evaluation>) => promise.then((evaluation) => (settled.push(ids([evaluation])[0]!), evaluation));
    const a1 = track(host.defender.evaluate({ id: "a1", sessionKey: "discord:group:g1", prompt: "one" }));
    const a2 = track(host.defender.evaluate({ id: "a2", sessionKey: "agent:main:discord:group:g1", prompt: "two" }));
    const b1 = track(host.defender.evaluate({ id: "b1", sessionKey: "agent:main:slack:dm:u1", prompt: "other" }));
    await gate.waitEntered(2);
    // `discord:group:g1` and its canonical form are one session: a2 waits behind a1.
    assert.deepEqual(gate.entered.map((action) => action.id).sort(), ["a1", "b1"]);
    assert.equal(host.defender.stats().pending, 1);
    gate.release(["a1"]);
    await gate.waitEntered(3);
    assert.equal(gate.entered[2]!.id, "a2");
    gate.release();
    await Promise.all([a1, a2, b1]);
    assert.ok(settled.indexOf("a1") < settled.indexOf("a2"));
    await host.defender.drain(1000);
    assert.deepEqual(
      host.defender.stats(),
      { lanes: 0, pending: 0, running: 0, waiting: 0, idempotencyEntries: 3, observersRunning: 0 },
      "idle lanes are evicted",
    );
  });

  test("runtime.worker_concurrency bounds evaluations across sessions", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { worker_concurrency: 2 } } });
    const gate = scoreGate();
    const all = ["s1", "s2", "s3", "s4"].map((session) => host.defender.evaluate({ id: session, sessionKey: session, prompt: "x" }));
    await gate.waitEntered(2);
    assert.equal(host.defender.stats().running, 2);
    assert.equal(host.defender.stats().waiting, 2);
    assert.equal(gate.entered.length, 2);
    gate.holding = false;
    gate.release();
    const results = await Promise.all(all);
    assert.ok(results.every((evaluation) => evaluation.status === "decided"));
  });

  test("steer: only the newest waiting action survives; the others settle as superseded", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { session_queue_mode: "steer" } } });
    const gate = scoreGate();
    const first = host.defender.evaluate({ id: "r1", sessionKey: "main", prompt: "1" });
    await gate.waitEntered(1);
    const second = host.defender.evaluate({ id: "r2", sessionKey: "main", prompt: "2" });
    const third = host.defender.evaluate({ id: "r3", sessionKey: "main", prompt: "3" });
    const superseded = await second;
    assert.equal(superseded.status, "superseded");
    assert.equal(superseded.status === "superseded" && superseded.by, "r3");
    gate.holding = false;
    gate.release();
    assert.deepEqual(ids(await Promise.all([first, third])), ["r1", "r3"]);
  });

  test("collect: consecutive prompts merge into one action under the newest id (seed §9.2)", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { session_queue_mode: "collect" } } });
    const gate = scoreGate();
    const alpha = host.defender.evaluate({ id: "c1", sessionKey: "main", prompt: "alpha" });
    await gate.waitEntered(1);
    const beta = host.defender.evaluate({
      id: "c2",
      sessionKey: "main",
      prompt: "beta",
      fields: [{ kind: "text", path: "/note", value: "extra" }],
    });
    const gamma = host.defender.evaluate({ id: "c3", sessionKey: "main", prompt: "gamma" });
    const command = host.defender.evaluate({ id: "c4", sessionKey: "main", command: "ls" });
    assert.equal((await beta).status, "superseded");
    gate.holding = false;
    gate.release();
    const [first, merged, last] = await Promise.all([alpha, gamma, command]);
    assert.deepEqual(ids([first!, merged!, last!]), ["c1", "c3", "c4"]);
    const action = gate.entered[1]!;
    assert.equal(action.id, "c3");
    assert.equal(action.prompt, "beta\n\ngamma");
    assert.ok(
      action.fields.some((field) => field.value === "extra"),
      "fields of merged actions are all scanned",
    );
    assert.equal(gate.entered[2]!.id, "c4", "a command is never merged");
  });

  test("overflow produces a logged decision refused for capacity, never a silent drop", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { max_queue: 16, timeout_action: "review" } } });
    const gate = scoreGate();
    const all = Array.from({ length: 20 }, (_, i) => host.defender.evaluate({ id: `q${i + 1}`, sessionKey: "main", prompt: `p${i}` }));
    await gate.waitEntered(1);
    const refused = await Promise.all(all.slice(17));
    for (const evaluation of refused) {
      assert.equal(evaluation.status, "decided");
      assert.ok(evaluation.status === "decided" && evaluation.record.refused);
      const decision = host.defender.decisionOf(evaluation)!;
      assert.equal(decision.action, "review");
      assert.deepEqual(decision.tags, ["capacity_refused"]);
      assert.match(decision.reasons[0]!, /refused for capacity/);
    }
    gate.holding = false;
    gate.release();
    const done = await Promise.all(all.slice(0, 17));
    assert.deepEqual(
      ids(done),
      Array.from({ length: 17 }, (_, i) => `q${i + 1}`),
    );
    assert.ok(done.every((evaluation) => evaluation.status === "decided" && !evaluation.record.refused));
  });

  for (const mode of ["steer", "collect"] as const) {
    test(`${mode} at capacity: replacing or merging a queued action adds nothing, so it is not refused`, async () => {
      const { host } = await startDefenderHost({
        fixtures: ["gate"],
        config: { runtime: { max_queue: 16, worker_concurrency: 16, session_queue_mode: mode } },
      });
      const gate = scoreGate();
      const sessions = Array.from({ length: 16 }, (_, i) => `session-${i}`);
      const running = sessions.map((session) => host.defender.evaluate({ id: `${session}-run`, sessionKey: session, prompt: "run" }));
      await gate.waitEntered(16);
      const queued = sessions.map((session) => host.defender.evaluate({ id: `${session}-queued`, sessionKey: session, prompt: "queued" }));
      assert.equal(host.defender.stats().pending, 16, "the queue is full");
      const newest = host.defender.evaluate({ id: "newest", sessionKey: "session-0", prompt: "newest" });
      const replaced = await queued[0]!;
      assert.equal(replaced.status, "superseded");
      assert.equal(host.defender.stats().pending, 16);
      if (mode === "collect") {
        // An action that is not merged grows the queue: still refused.
        const growing = await host.defender.evaluate({ id: "growing", sessionKey: "session-1", command: "ls" });
        assert.ok(growing.status === "decided" && growing.record.refused === true);
      }
      gate.holding = false;
      gate.release();
      const last = await newest;
      assert.ok(last.status === "decided" && !last.record.refused, "the newest action is evaluated, not refused");
      await Promise.all([...running, ...queued]);
      await until(() => host.defender.stats().lanes === 0, "lanes to drain");
    });
  }

  test("capacity also bounds the number of sessions in flight", async () => {
    const { host } = await startDefenderHost({ fixtures: ["gate"], config: { runtime: { max_queue: 16 } } });
    const gate = scoreGate();
    const all = Array.from({ length: 18 }, (_, i) => host.defender.evaluate({ id: `s${i}`, sessionKey: `session-${i}`, prompt: "x" }));
    const overflow = await Promise.all(all.slice(16));
    assert.ok(overflow.every((evaluation) => evaluation.status === "decided" && evaluation.record.refused === true));
    gate.holding = false;
    gate.release();
    await Promise.all(all);
    await until(() => host.defender.stats().lanes === 0, "lanes to drain");
  });

  test("mention mode: a group message without a mention is ignored; bypass commands need an authorised sender", async () => {
    const { host } = await startDefenderHost({
      config: { runtime: { group_activation_mode: "mention", command_authorized_senders: ["telegram:admin-1", "ops-2"] } },
    });
    const group = { sessionKey: "telegram:group:g1", channel: "telegram" };
    const notMentioned = await host.defender.evaluate({
      ...group,
      id: "m1",
      prompt: "hello",
      routing: { canDetectMention: true, wasMentioned: false },
    });
    assert.equal(notMentioned.status, "ignored");
    const mentioned = await host.defender.evaluate({
      ...group,
      id: "m2",
      prompt: "hello",
      routing: { canDetectMention: true, wasMentioned: true },
    });
    assert.equal(mentioned.status, "decided");
    const noFlag = await host.defender.evaluate({ ...group, id: "m3", prompt: "hello" });
    assert.equal(noFlag.status, "decided", "no mention key: detection unavailable, not gated (seed)");
    const stranger = await host.defender.evaluate({
      ...group,
      id: "m4",
      prompt: "/reset now",
      routing: { canDetectMention: true, wasMentioned: false, senderId: "someone" },
    });
    assert.equal(stranger.status, "ignored", "any member could bypass in the seed");
    const admin = await host.defender.evaluate({
      ...group,
      id: "m5",
      prompt: "/reset now",
      routing: { canDetectMention: true, wasMentioned: false, senderId: "admin-1" },
    });
    assert.equal(admin.status, "decided");
    const bare = await host.defender.evaluate({
      ...group,
      id: "m6",
      command: "//STOP",
      routing: { canDetectMention: true, wasMentioned: false, senderId: "ops-2" },
    });
    assert.equal(bare.status, "decided");
    const otherChannel = await host.defender.evaluate({
      sessionKey: "discord:group:g1",
      channel: "discord",
      id: "m7",
      prompt: "/help",
      routing: { canDetectMention: true, wasMentioned: false, senderId: "admin-1" },
    });
    assert.equal(otherChannel.status, "ignored", "telegram:admin-1 is authorised on telegram only");
    const dm = await host.defender.evaluate({
      sessionKey: "telegram:dm:u1",
      id: "m8",
      prompt: "hi",
      routing: { canDetectMention: true, wasMentioned: false },
    });
    assert.equal(dm.status, "decided", "direct chats are never gated");
  });

  test("always mode gates nothing", async () => {
    const { host } = await startDefenderHost({ config: { runtime: { group_activation_mode: "always" } } });
    const evaluation = await host.defender.evaluate({
      id: "g1",
      sessionKey: "telegram:group:g1",
      prompt: "hello",
      routing: { canDetectMention: true, wasMentioned: false },
    });
    assert.equal(evaluation.status, "decided");
  });
});
