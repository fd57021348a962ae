import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Action } from "@talon/sdk";
import { checkActivation, isControlCommand, isGroupContext } from "../../core/scheduler/activation.ts";
import { Semaphore } from "../../core/scheduler/semaphore.ts";

const action = (sessionKey: string, extra: Partial<Action> = {}) =>
  ({ sessionKey, routing: {}, fields: [], raw: null, ...extra }) as unknown as Action;

describe("activation rules (seed §9.3)", () => {
  test("group context from the session key, the routing or the raw root's room hint", () => {
    assert.ok(isGroupContext(action("agent:main:discord:group:g1")));
    assert.ok(isGroupContext(action("agent:main:slack:channel:C1")));
    assert.ok(!isGroupContext(action("agent:main:telegram:dm:u1")));
    assert.ok(!isGroupContext(action("agent:main:main")));
    assert.ok(isGroupContext(action("s", { routing: { chatType: "channel" } })));
    assert.ok(isGroupContext(action("s", { raw: { roomType: " Room " } })));
    assert.ok(!isGroupContext(action("s", { raw: { chat: "dm", roomType: "group" } })), "the first string key decides");
  });

  test("control commands: leading slashes, first word, case-insensitive", () => {
    for (const text of ["/reset", "  /STOP now", "///help", "/new\tsession"]) assert.ok(isControlCommand(text), text);
    for (const text of ["reset", "/resetting", "/ls", "", "hello /reset"]) assert.ok(!isControlCommand(text), text);
  });

  test("any mention of someone else defeats the bypass", () => {
    const gated = action("agent:main:telegram:group:g", {
      prompt: "/reset",
      channel: "telegram",
      routing: { canDetectMention: true, wasMentioned: false, hasAnyMention: true, senderId: "boss" },
    });
    assert.equal(checkActivation(gated, { mode: "mention", authorizedSenders: ["boss"] }).ignored, true);
    assert.equal(checkActivation(gated, { mode: "always", authorizedSenders: [] }).ignored, false);
  });
});

describe("semaphore", () => {
  test("bounds holders, serves waiters first come first served, follows a changed limit", async () => {
    let limit = 1;
    const permits = new Semaphore(() => limit);
    assert.equal(permits.acquire(), undefined, "a free permit is taken synchronously");
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => permits.acquire()!.then(() => order.push(n)));
    assert.equal(permits.waiting, 3);
    limit = 2;
    permits.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [1, 2], "a raised limit lets two waiters in");
    assert.equal(permits.active, 2);
    permits.release();
    await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
  });
});
