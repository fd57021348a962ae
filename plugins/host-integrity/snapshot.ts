/**
 * What a protected path looks like now: a file's SHA-256, a directory's tree digest (every file's
 * relative path and SHA-256, bounded), or why it could not be read. Directories and unreadable
 * paths get a clear state instead of stopping start-up (seed §15 item 10).
 */
import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join, relative } from "node:path";

/** Bounds of one snapshot. */
export interface SnapshotLimits {
  /** Most files hashed in one directory tree. */
  readonly maxDirFiles: number;
  /** Most bytes hashed per path. */
  readonly maxBytes: number;
}

/** The state of one protected path. */
export type Snapshot =
  | { readonly kind: "file"; readonly sha256: string; readonly size: number }
  | { readonly kind: "directory"; readonly sha256: string; readonly files: Readonly<Record<string, string>> }
  | { readonly kind: "missing" }
  | { readonly kind: "unreadable"; readonly error: string };

async function hashFile(path: string, budget: { bytes: number }): Promise<string> {
  // O_NOFOLLOW | O_NONBLOCK: never hang on a FIFO, never follow a symlink swapped in.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTFILE" });
    if (stat.size > budget.bytes) throw Object.assign(new Error(`larger than the ${budget.bytes}-byte limit`), { code: "EFBIG" });
    budget.bytes -= stat.size;
    const hash = createHash("sha256");
    for await (const chunk of createReadStream("", { fd: handle, autoClose: false, highWaterMark: 64 * 1024 }))
      hash.update(chunk as Buffer);
    return hash.digest("hex");
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function walk(root: string, dir: string, out: string[], limit: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, out, limit);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, path));
    if (out.length > limit)
      throw Object.assign(new Error(`more than ${limit} files; protect specific files instead`), { code: "ETOOMANY" });
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  if (code === "EACCES" || code === "EPERM") return "permission denied; run Talon as a user that can read it";
  if (code === "ETOOMANY" || code === "EFBIG" || code === "ENOTFILE") return message;
  return code ? `${code}: ${message}` : message;
}

/** Take a snapshot of `path` (absolute). Never throws. */
export async function snapshot(path: string, limits: SnapshotLimits): Promise<Snapshot> {
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")
      return { kind: "missing" };
    return { kind: "unreadable", error: describe(error) };
  }
  const budget = { bytes: limits.maxBytes };
  try {
    if (stat.isDirectory()) {
      const names: string[] = [];
      await walk(path, path, names, limits.maxDirFiles);
      const files: Record<string, string> = {};
      const tree = createHash("sha256");
      for (const name of names) {
        const file = join(path, name);
        const info = await lstat(file);
        // A symlink is recorded by its target text, not followed.
        const digest = info.isSymbolicLink()
          ? `symlink:${createHash("sha256")
              .update(await readlink(file))
              .digest("hex")}`
          : await hashFile(file, budget);
        files[name] = digest;
        tree.update(name).update("\0").update(digest).update("\n");
      }
      return { kind: "directory", sha256: tree.digest("hex"), files };
    }
    if (stat.isSymbolicLink()) return { kind: "unreadable", error: "is a symbolic link; protect the file it points to" };
    if (!stat.isFile()) return { kind: "unreadable", error: "not a regular file or directory" };
    return { kind: "file", sha256: await hashFile(path, budget), size: stat.size };
  } catch (error) {
    return { kind: "unreadable", error: describe(error) };
  }
}

/** How `now` differs from `baseline`: alerts (tampering) and errors (cannot tell). */
export function compare(path: string, baseline: Snapshot, now: Snapshot): { alerts: string[]; errors: string[] } {
  const alerts: string[] = [];
  const errors: string[] = [];
  if (baseline.kind === "unreadable")
    errors.push(`${path} has no baseline (${baseline.error}); fix it and run \`talon integrity rebaseline\``);
  else if (now.kind === "unreadable") errors.push(`cannot read ${path}: ${now.error}`);
  else if (now.kind === "missing" && baseline.kind !== "missing") alerts.push(`${path} is missing`);
  else if (baseline.kind === "missing" && now.kind !== "missing") alerts.push(`${path} appeared after the baseline was taken`);
  else if (baseline.kind === "file" && now.kind === "file" && baseline.sha256 !== now.sha256)
    alerts.push(`${path} hash changed (baseline=${baseline.sha256}, current=${now.sha256})`);
  else if (baseline.kind === "directory" && now.kind === "directory" && baseline.sha256 !== now.sha256) {
    const names = new Set([...Object.keys(baseline.files), ...Object.keys(now.files)]);
    const changed = [...names].filter((name) => baseline.files[name] !== now.files[name]).sort();
    alerts.push(`${path} changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ` and ${changed.length - 5} more` : ""}`);
  } else if (baseline.kind !== now.kind) alerts.push(`${path} was a ${baseline.kind} and is now a ${now.kind}`);
  return { alerts, errors };
}
