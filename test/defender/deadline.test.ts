import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeadlineClock, TIMED_OUT } from "../../core/defender/deadline.ts";

const never = () => new Promise<string>(() => undefined);
const refedTimeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

describe("deadline clock", () => {
  test("work that finishes first wins; work that does not is cut off at the deadline, and later stages at once", async () => {
    const clock = new DeadlineClock();
    const quick = clock.start(1000);
    assert.equal(await clock.race(quick, Promise.resolve("done")), "done");
    clock.finish(quick);

    const slow = clock.start(20);
    assert.equal(await clock.race(slow, never()), TIMED_OUT);
    assert.equal(await clock.race(slow, Promise.resolve("late")), TIMED_OUT, "the deadline has passed for every later stage");
    clock.finish(slow);
  });

  test("a shorter deadline started after a longer one still expires on time", async () => {
    const clock = new DeadlineClock();
    const long = clock.start(60_000);
    const short = clock.start(20);
    const started = Date.now();
    assert.equal(await clock.race(short, never()), TIMED_OUT);
    assert.ok(Date.now() - started < 30_000, "cut off long before the longer deadline");
    assert.equal(await clock.race(long, Promise.resolve("ok")), "ok", "the longer deadline is still running");
    clock.finish(short);
    clock.finish(long);
  });

  test("a failure of work nobody waits for any more is not an unhandled rejection", async () => {
    const clock = new DeadlineClock();
    const deadline = clock.start(10);
    assert.equal(await clock.race(deadline, never()), TIMED_OUT);
    let reject!: (error: Error) => void;
    const failing = new Promise<string>((_resolve, fail) => (reject = fail));
    assert.equal(await clock.race(deadline, failing), TIMED_OUT);
    reject(new Error("too late"));
    await new Promise((resolve) => setImmediate(resolve));
    clock.finish(deadline);
  });

  test("the timer keeps the process alive only while an evaluation runs", async () => {
    const clock = new DeadlineClock();
    const before = refedTimeouts();
    const deadline = clock.start(60_000);
    assert.equal(refedTimeouts(), before + 1);
    assert.equal(await clock.race(deadline, Promise.resolve(1)), 1);
    clock.finish(deadline);
    assert.equal(refedTimeouts(), before, "nothing running: the armed timer is unref'd");
    const again = clock.start(60_000);
    assert.equal(refedTimeouts(), before + 1, "the same timer is ref'd again");
    clock.finish(again);
    assert.equal(refedTimeouts(), before);
  });
});
