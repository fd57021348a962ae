import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createNamespacedStore } from "../../core/state/namespaced-store.ts";
import { openStoreBackend } from "../../core/state/open-store.ts";
import { startTestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";

test("the default store is an SQLite file in the data directory, in WAL mode, and survives a reopen", async () => {
  const dataDir = await tempDir();
  const backend = await openStoreBackend("sqlite", dataDir);
  assert.equal(backend.kind, "sqlite");
  assert.equal(backend.location, join(dataDir, "talon.sqlite"));
  const store = createNamespacedStore(backend, "plugin-a");
  await store.set("k1", { n: 1, nested: ["x"] });
  await store.set("short-lived", "v", 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(await store.get("short-lived"), undefined, "ttl expires entries");
  const query = (backend.keyv.store as { query(sql: string): Promise<Record<string, unknown>[]> }).query;
  const mode = await query.call(backend.keyv.store, "PRAGMA journal_mode");
  assert.equal(Object.values(mode[0]!)[0], "wal");
  await backend.close();
  const reopened = await openStoreBackend("sqlite", dataDir);
  assert.deepEqual(await createNamespacedStore(reopened, "plugin-a").get("k1"), { n: 1, nested: ["x"] });
  await reopened.close();
});

test("namespaces isolate plugins; entries() scans one namespace; setMany and deleteMany work in bulk", async () => {
  for (const url of ["memory", "sqlite"]) {
    const backend = await openStoreBackend(url, await tempDir());
    const a = createNamespacedStore(backend, "a");
    const b = createNamespacedStore(backend, "b");
    const aSub = a.namespace("sub");
    await a.setMany([
      { key: "x", value: 1 },
      { key: "y", value: 2 },
    ]);
    await aSub.set("x", "sub");
    await b.set("x", "other");
    const entries = new Map<string, unknown>();
    for await (const [key, value] of a.entries()) entries.set(key, value);
    assert.deepEqual(Object.fromEntries(entries), { x: 1, y: 2, "sub:x": "sub" }, url);
    assert.deepEqual(await a.getMany(["x", "nope", "y"]), [1, undefined, 2], url);
    await a.deleteMany(["x"]);
    assert.equal(await a.has("x"), false, url);
    assert.equal(await b.get("x"), "other", url);
    await aSub.clear();
    assert.equal(await aSub.get("x"), undefined, url);
    assert.equal(await a.get("y"), 2, url);
    await backend.close();
  }
});

test("10,000 entries scan in one pass", async () => {
  const backend = await openStoreBackend("sqlite", await tempDir());
  const store = createNamespacedStore(backend, "bulk");
  for (let i = 0; i < 10; i++) {
    await store.setMany(Array.from({ length: 1000 }, (_, j) => ({ key: `s${i * 1000 + j}`, value: { i: i * 1000 + j } })));
  }
  let count = 0;
  for await (const _entry of store.entries()) count++;
  assert.equal(count, 10_000);
  await backend.close();
});

test("a file that is not a database stops start-up and is left untouched", async () => {
  const dataDir = await tempDir();
  const file = join(dataDir, "talon.sqlite");
  await writeFile(file, "these are my notes, not a database");
  await assert.rejects(openStoreBackend("sqlite", dataDir), (error: { code: string; message: string; hint?: string }) => {
    assert.equal(error.code, "TALON_STATE_CORRUPT");
    assert.match(error.message, /is not an SQLite database/);
    assert.match(error.hint!, /will not overwrite/);
    return true;
  });
  assert.equal(await readFile(file, "utf8"), "these are my notes, not a database");
});

test("a corrupted database body stops start-up instead of being reset", async () => {
  const dataDir = await tempDir();
  const backend = await openStoreBackend("sqlite", dataDir);
  const store = createNamespacedStore(backend, "p");
  await store.setMany(Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: "x".repeat(200) })));
  await backend.close();
  const file = join(dataDir, "talon.sqlite");
  const bytes = await readFile(file);
  // Keep the header, scribble over the b-tree pages.
  for (let i = 4096; i < bytes.length; i += 7) bytes[i] = 0xab;
  await writeFile(file, bytes);
  await assert.rejects(openStoreBackend("sqlite", dataDir), { code: "TALON_STATE_CORRUPT" });
});

test("an unwritable data directory gets a clear error", async () => {
  const parent = await tempDir();
  const blocked = join(parent, "blocked");
  await writeFile(blocked, "a file where the data directory should be");
  await assert.rejects(openStoreBackend("sqlite", join(blocked, "data")), (error: { code: string; hint?: string }) => {
    assert.equal(error.code, "TALON_STATE_UNWRITABLE");
    assert.match(error.hint!, /--data-dir/);
    return true;
  });
});

test("unsupported state urls and unreachable servers are refused", async () => {
  await assert.rejects(openStoreBackend("mongodb://x", await tempDir()), { code: "TALON_STATE_UNSUPPORTED" });
  await assert.rejects(openStoreBackend("redis://127.0.0.1:1", await tempDir()), (error: { code: string; message: string }) => {
    assert.equal(error.code, "TALON_STATE_UNREACHABLE");
    assert.doesNotMatch(error.message, /password/);
    return true;
  });
});

test("a failed write reports TALON_STATE_WRITE_FAILED and keeps what was stored", async () => {
  const dataDir = await tempDir();
  const backend = await openStoreBackend("sqlite", dataDir);
  const store = createNamespacedStore(backend, "p");
  await store.set("kept", 1);
  const query = (backend.keyv.store as { query(sql: string): Promise<unknown> }).query.bind(backend.keyv.store);
  // A trigger makes every later write fail, as a full disk would.
  await query("CREATE TRIGGER no_writes BEFORE INSERT ON keyv BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  await assert.rejects(store.set("lost", 2), { code: "TALON_STATE_WRITE_FAILED" });
  await assert.rejects(
    store.setMany([
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]),
    { code: "TALON_STATE_WRITE_FAILED" },
  );
  assert.equal(await store.get("kept"), 1);
  assert.equal(await store.get("a"), undefined, "setMany is all or nothing");
  await backend.close();
});

test("the host opens the default SQLite store in its data directory", async () => {
  const dataDir = await tempDir();
  await mkdir(dataDir, { recursive: true });
  const { host } = await startTestHost(
    { data_dir: dataDir, state: { url: "sqlite" }, plugins: { builtin: ["decision-policy"] } },
    { gateway: false },
  );
  assert.equal(host.store.kind, "sqlite");
  assert.equal(host.store.location, join(dataDir, "talon.sqlite"));
});
