import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Logger, Store } from "@talon/sdk";
import { IntegrityMonitor } from "./monitor.ts";

const quiet: Logger = { fatal() {}, error() {}, warn() {}, info() {}, debug() {}, trace() {}, child: () => quiet };

/** A store that counts reads: each check reads the baseline once. */
function countingStore(): { store: Store; reads: () => number } {
  const values = new Map<string, unknown>();
  let reads = 0;
  const store = {
    async get(key: string) {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return values.get(key);
    },
    async set(key: string, value: unknown) {
      values.set(key, value);
    },
  } as unknown as Store;
  return { store, reads: () => reads };
}

test("concurrent checks coalesce: one queued check is shared, never one re-hash per caller", async () => {
  const dir = await mkdtemp(join(tmpdir(), "talon-monitor-"));
  after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "f");
  await writeFile(file, "v1");
  const { store, reads } = countingStore();
  const monitor = new IntegrityMonitor(store, quiet, [{ configured: file, absolute: file }], { maxDirFiles: 10, maxBytes: 1 << 20 });
  await monitor.ensureBaseline();
  const before = reads();
  const first = monitor.check();
  await new Promise((resolve) => setTimeout(resolve, 1)); // the first check is now running
  await writeFile(file, "v2");
  const later = await Promise.all(Array.from({ length: 50 }, () => monitor.check()));
  await first;
  assert.equal(reads() - before, 2, "the running check and one shared queued check");
  assert.ok(
    later.every((state) => state === later[0]),
    "the queued callers share one result",
  );
  assert.equal(later[0]!.alerts.length, 1, "a caller that asked mid-check gets a check that started after it asked");
});
