import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { compare, snapshot } from "./snapshot.ts";

const limits = { maxDirFiles: 100, maxBytes: 1 << 20 };

test("files, directories, missing and unreadable paths each get a snapshot", async () => {
  const dir = await mkdtemp(join(tmpdir(), "talon-snap-"));
  after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "f"), "hello");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "x"), "1");
  await symlink(join(dir, "f"), join(dir, "link"));
  const file = await snapshot(join(dir, "f"), limits);
  assert.deepEqual(file, { kind: "file", sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", size: 5 });
  const folder = await snapshot(join(dir, "d"), limits);
  assert.equal(folder.kind, "directory");
  assert.deepEqual(await snapshot(join(dir, "none"), limits), { kind: "missing" });
  assert.equal((await snapshot(join(dir, "link"), limits)).kind, "unreadable");
  assert.equal((await snapshot(join(dir, "f"), { maxDirFiles: 1, maxBytes: 2 })).kind, "unreadable");
});

test("compare reports the seed's alert texts and Talon's additions", () => {
  const a = { kind: "file", sha256: "a".repeat(64), size: 1 } as const;
  const b = { kind: "file", sha256: "b".repeat(64), size: 1 } as const;
  assert.deepEqual(compare("p", a, b).alerts, [`p hash changed (baseline=${"a".repeat(64)}, current=${"b".repeat(64)})`]);
  assert.deepEqual(compare("p", a, { kind: "missing" }).alerts, ["p is missing"]);
  assert.deepEqual(compare("p", { kind: "missing" }, a).alerts, ["p appeared after the baseline was taken"]);
  assert.deepEqual(compare("p", a, a), { alerts: [], errors: [] });
  assert.deepEqual(
    compare("p", { kind: "directory", sha256: "1", files: { x: "1" } }, { kind: "directory", sha256: "2", files: { x: "2", y: "3" } })
      .alerts,
    ["p changed: x, y"],
  );
  assert.match(compare("p", a, { kind: "unreadable", error: "permission denied" }).errors[0]!, /cannot read p: permission denied/);
});
