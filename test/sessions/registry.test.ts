/**
 * The session registry on its own, over an in-memory store: every queued change settles, even
 * when one of a group commit's results throws.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "@talon/sdk";
import { createNamespacedStore } from "../../core/state/namespaced-store.ts";
import { openMemoryBackend } from "../../core/state/memory-backend.ts";
import { configSchema } from "../../plugins/sessions/config.ts";
import { createRecord } from "../../plugins/sessions/entry.ts";
import { SessionRegistry } from "../../plugins/sessions/registry.ts";

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent } as unknown as Logger;

function registry(): SessionRegistry {
  const config = configSchema.parse({});
  return new SessionRegistry({
    store: createNamespacedStore(openMemoryBackend(), "sessions"),
    log: silent,
    config: () => config,
    path: "memory://session-registry",
  });
}

/** Settles within `ms`, or says it never did. */
function settled<T>(promise: Promise<T>, ms = 2000): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | "unsettled"> {
  return Promise.race([
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    new Promise<"unsettled">((resolve) => setTimeout(() => resolve("unsettled"), ms).unref()),
  ]);
}

test("a group commit whose result throws settles every job: that one is refused, the others resolve", async () => {
  const reg = registry();
  const change = (key: string, fail: boolean) =>
    reg.commit(key, "test", (_current, now) => ({
      next: createRecord(key, reg.newSessionId(now), now),
      result: () => {
        if (fail) throw new Error(`result of ${key} failed`);
        return key;
      },
    }));
  // Queued in one tick: they are built and written as one group.
  const outcomes = await Promise.all(
    [change("agent:main:a", false), change("agent:main:b", true), change("agent:main:c", false), change("agent:main:d", false)].map((p) =>
      settled(p),
    ),
  );
  assert.deepEqual(
    outcomes.map((o) => (o === "unsettled" ? o : o.ok ? o.value : (o.error as Error).message)),
    ["agent:main:a", "result of agent:main:b failed", "agent:main:c", "agent:main:d"],
  );
  assert.deepEqual(
    [...reg.byKey.keys()].sort(),
    ["agent:main:a", "agent:main:b", "agent:main:c", "agent:main:d"],
    "every written change is applied",
  );
  // The queue still works afterwards.
  assert.equal(await change("agent:main:e", false), "agent:main:e");
  await reg.close();
});

test("an exclusive change whose result throws is refused and later changes still run", async () => {
  const reg = registry();
  const failing = reg.commit(
    "agent:main:x",
    "test",
    async () => ({
      result: () => {
        throw new Error("boom");
      },
    }),
    { exclusive: true },
  );
  const after = reg.commit("agent:main:y", "test", (_current, now) => ({
    next: createRecord("agent:main:y", reg.newSessionId(now), now),
    result: () => "ok",
  }));
  await assert.rejects(failing, /boom/);
  assert.equal(await after, "ok");
  await reg.close();
});
