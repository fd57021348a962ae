/**
 * Lexical path resolution: what a path in an action names, worked out from its text alone. `~`,
 * `$HOME` and `${HOME}` expand to the configured home (or stay a symbolic `~` when none is set);
 * relative paths and `..` resolve against the workspace; `file:` URLs become paths; backslashes
 * count as separators (a name with a backslash must not slip past a rule). The filesystem named
 * in a frame is never read (no realpath, no stat): symlinks are not followed, by design.
 */

/** A resolved path. */
export interface ResolvedPath {
  /** Absolute (`/…`), home-relative (`~/…`), or relative when no workspace was known. */
  path: string;
  /** A relative path walked above its base with `..` (only possible when no workspace was known). */
  escapes: boolean;
  /** The path started at the home directory (`~`, `$HOME`), whatever `home` expanded to. */
  home: boolean;
}

const HOME_PREFIX = /^(?:~|\$HOME|\$\{HOME\})(?=\/|$)/;
/** `~user/...`: another user's home. */
const OTHER_HOME = /^~([A-Za-z0-9._-]+)(?=\/|$)/;

/** Normalise `.`, `..` and repeated separators of a `/`-separated path; `..` above the root stays at the root. */
function normalizeSegments(path: string): { path: string; escapes: boolean } {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  let above = 0;
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) {
        above++;
        out.push("..");
      }
      continue;
    }
    out.push(segment);
  }
  const joined = out.join("/");
  return { path: absolute ? `/${joined}` : joined === "" ? "." : joined, escapes: above > 0 };
}

/** Resolve `raw` against `workspace` (absolute, may be undefined) and `home` (absolute, or undefined for a symbolic `~`). */
export function resolvePath(raw: string, options: { workspace?: string; home?: string }): ResolvedPath {
  let text = raw.trim().replaceAll("\\", "/").replaceAll("\0", "");
  if (/^file:/i.test(text)) {
    // file:///etc/passwd, file://localhost/etc/passwd, file:/etc/passwd
    text = text.replace(/^file:(?:\/\/(?:localhost)?)?/i, "");
    try {
      text = decodeURIComponent(text);
    } catch {
      // keep the text as written
    }
  }
  let home = false;
  if (HOME_PREFIX.test(text)) {
    home = true;
    text = text.replace(HOME_PREFIX, options.home ?? "~");
  } else {
    const other = OTHER_HOME.exec(text);
    if (other) text = text.replace(OTHER_HOME, other[1] === "root" ? "/root" : `/home/${other[1]}`);
  }
  if (text.startsWith("~")) {
    // Symbolic home: normalise the rest, keep the `~/` prefix.
    const rest = normalizeSegments(`/${text.slice(1)}`);
    return { path: rest.path === "/" ? "~" : `~${rest.path}`, escapes: false, home };
  }
  if (!text.startsWith("/") && options.workspace !== undefined) text = `${options.workspace.replace(/\/+$/, "")}/${text}`;
  const normalized = normalizeSegments(text);
  return { path: normalized.path, escapes: normalized.escapes, home };
}

/** Is `path` the same as or inside `root` (both resolved)? */
export function isInside(path: string, root: string): boolean {
  const base = root.replace(/\/+$/, "");
  if (base === "") return path.startsWith("/");
  return path === base || path.startsWith(`${base}/`);
}
