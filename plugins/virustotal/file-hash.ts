/**
 * Hash a file named in a frame, safely (seed §15 item 9): only regular files inside configured
 * roots (checked on the path as written, then again after resolving symlinks), never devices, FIFOs or /proc, opened without following a
 * swapped-in symlink and without blocking on a FIFO, streamed in chunks up to a size cap, within
 * a time limit.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** Why a file was not hashed, with the tag to report. */
export interface HashRefusal {
  readonly refused: true;
  readonly tag: string;
  readonly reason: string;
}

/** A file's SHA-256 (lowercase hex) and size. */
export interface FileHash {
  readonly refused: false;
  readonly sha256: string;
  readonly bytes: number;
  readonly path: string;
}

const CHUNK_BYTES = 64 * 1024;
const PSEUDO = /^\/(?:dev|proc|sys)(?:\/|$)/;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** A configured root: as written (made absolute) and with its symlinks resolved. */
export interface FileRoot {
  readonly lexical: string;
  readonly real: string;
}

/** Resolve configured roots to absolute and real paths (missing roots are dropped). */
export async function resolveRoots(roots: readonly string[], baseDir: string): Promise<FileRoot[]> {
  const out: FileRoot[] = [];
  for (const root of roots) {
    const lexical = resolve(baseDir, root);
    try {
      out.push({ lexical, real: await realpath(lexical) });
    } catch {
      // A root that does not exist allows nothing.
    }
  }
  return out;
}

/** Hash `requested` if it is a regular file inside one of `roots`. */
export async function hashFile(
  requested: string,
  roots: readonly FileRoot[],
  baseDir: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<FileHash | HashRefusal> {
  const refuse = (tag: string, reason: string): HashRefusal => ({ refused: true, tag, reason });
  if (roots.length === 0)
    return refuse(
      "vt_file_outside_roots",
      `file lookup skipped for ${requested}: no VirusTotal file roots are configured (plugins.entries.virustotal.config.fileRoots)`,
    );
  const candidate = resolve(baseDir, requested);
  // Refuse on the path as written before touching the filesystem, so a refusal never tells
  // whether some host path outside the roots exists.
  if (PSEUDO.test(candidate))
    return refuse("vt_file_refused", `file lookup refused for ${requested}: ${candidate} is a device or kernel file`);
  if (!roots.some((root) => inside(root.lexical, candidate) || inside(root.real, candidate)))
    return refuse("vt_file_outside_roots", `file lookup refused for ${requested}: it is outside the VirusTotal file roots`);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return refuse("vt_file_missing", `file does not exist for VT scan: ${requested}`);
  }
  if (PSEUDO.test(real)) return refuse("vt_file_refused", `file lookup refused for ${requested}: ${real} is a device or kernel file`);
  if (!roots.some((root) => inside(root.real, real)))
    return refuse("vt_file_outside_roots", `file lookup refused for ${requested}: it resolves outside the VirusTotal file roots`);
  let handle;
  try {
    // O_NOFOLLOW: a symlink swapped in after realpath is not followed; O_NONBLOCK: a FIFO cannot hang the open.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return refuse("vt_file_refused", `file lookup refused for ${requested}: ${(error as NodeJS.ErrnoException).code ?? "cannot open"}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return refuse("vt_file_refused", `file lookup refused for ${requested}: not a regular file`);
    if (stat.size > maxBytes)
      return refuse("vt_file_too_large", `file lookup skipped for ${requested}: ${stat.size} bytes is over the ${maxBytes}-byte limit`);
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      if (signal.aborted) return refuse("vt_file_timeout", `hashing ${requested} took longer than the VirusTotal time limit`);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      // The file grew past the cap while we read it.
      if (total > maxBytes)
        return refuse("vt_file_too_large", `file lookup skipped for ${requested}: it grew past the ${maxBytes}-byte limit`);
      hash.update(buffer.subarray(0, bytesRead));
    }
    return { refused: false, sha256: hash.digest("hex"), bytes: total, path: real };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
