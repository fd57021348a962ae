/**
 * What a path names, read statically: the root, system directories, a home directory and the
 * folders in it that hold a user's life (`~/.ssh`, `~/Documents`), block devices, credential
 * files. Paths are normalised lexically first (`//`, `/./`, `/tmp/../` are `/`; `$HOME` and
 * `${HOME}` are `~`); relative paths resolve against a `cd` seen earlier in the script.
 */

/** Lexically normalised path: `~` for home, no `.`/`..`/`//`, no trailing slash (except `/`). */
export function normalizePath(path: string, cwd?: string): string {
  let value = path.trim().replace(/^\$\{?HOME\}?(?=\/|$)/, "~");
  if (!value.startsWith("/") && !value.startsWith("~") && cwd !== undefined) value = `${cwd.replace(/\/$/, "")}/${value}`;
  const absolute = value.startsWith("/");
  const home = value === "~" || value.startsWith("~/");
  const parts: string[] = [];
  const segments = (home ? value.slice(1) : value).split("/");
  let escapedHome = false;
  for (const segment of segments) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (home) escapedHome = true;
      else if (!absolute) parts.push("..");
      continue;
    }
    parts.push(segment);
  }
  // `~/..` is the folder holding every home directory.
  if (home && escapedHome) return `/home${parts.length ? `/${parts.join("/")}` : ""}`;
  if (home) return parts.length ? `~/${parts.join("/")}` : "~";
  if (absolute) return `/${parts.join("/")}`;
  return parts.join("/") || ".";
}

/** Strip a trailing glob (`/*`, `/.*`, `/**`, `*`) and say whether there was one. */
export function stripGlob(path: string): { base: string; glob: boolean } {
  const match = /^(.*?)(?:\/?\.?\*+)$/.exec(path);
  if (!match) return { base: path, glob: false };
  const base = match[1] === "" ? (path.startsWith("/") ? "/" : ".") : match[1]!;
  return { base, glob: true };
}

const SYSTEM_TOP = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "home",
  "lib",
  "lib32",
  "lib64",
  "libx32",
  "media",
  "mnt",
  "opt",
  "proc",
  "root",
  "run",
  "sbin",
  "snap",
  "srv",
  "sys",
  "usr",
  "var",
  "Applications",
  "Library",
  "System",
  "Users",
  "private",
  "Volumes",
  "nix",
  "efi",
]);
/** Directories whose direct children are each critical (`/usr/lib`, `/var/lib`, `/etc/nginx`, `/home/alice`). */
const CRITICAL_PARENTS = new Set([
  "/etc",
  "/boot",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/usr",
  "/var",
  "/var/lib",
  "/home",
  "/Users",
  "/root",
  "/srv",
  "/opt",
  "/usr/local",
  "/System",
  "/Library",
]);
const HOME_CRITICAL = new Set([
  ".ssh",
  ".gnupg",
  ".config",
  ".local",
  ".aws",
  ".kube",
  ".docker",
  ".mozilla",
  "Documents",
  "Desktop",
  "Pictures",
  "Music",
  "Videos",
  "Library",
  "projects",
  "Projects",
  "src",
  "code",
  "work",
  "dev",
  "go",
  "workspace",
  ".bashrc",
  ".zshrc",
  ".profile",
  ".bash_profile",
]);
const TEMP = /^\/(?:tmp|var\/tmp|dev\/shm)(?:\/|$)/;

/** How bad deleting (or overwriting) this path would be. */
export type Impact = "critical" | "system" | "workspace" | "none";

/** Does a shell glob component match a name (`e*` matches `etc`, `[eb]in` matches `bin`)? */
function globMatches(pattern: string, name: string): boolean {
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) source += "\\[";
      else {
        const body = pattern
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        source += `[${body}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  try {
    return new RegExp(`${source}$`).test(name);
  } catch {
    return true;
  }
}

const GLOB = /[*?[]/;

/**
 * A glob in a path component at a level where every name is critical (`/e*`, `/[bu]*`, `~/.s*`,
 * `/usr/l*`): the impact of the widest name it can match.
 */
function globImpact(path: string): Impact | undefined {
  const parts = path.split("/");
  const index = parts.findIndex((part, i) => GLOB.test(part) && (i > 0 || part !== "~"));
  if (index === -1) return undefined;
  const parent = parts.slice(0, index).join("/") || (path.startsWith("/") ? "/" : ".");
  const pattern = parts[index]!;
  if (parent === "/") return [...SYSTEM_TOP].some((name) => globMatches(pattern, name)) ? "critical" : undefined;
  if (parent === "~") return [...HOME_CRITICAL].some((name) => globMatches(pattern, name)) ? "critical" : undefined;
  if (CRITICAL_PARENTS.has(parent) && index === parts.length - 1) return "critical";
  return undefined;
}

/**
 * The impact of recursively deleting `path`:
 * `critical` for `/`, top-level system directories and their direct children, a home directory
 * and its key folders (also when named by a glob such as `/e*`); `system` for deeper absolute
 * paths outside temp folders and for the whole working directory when it is unknown; `none` otherwise.
 */
export function deleteImpact(path: string, cwd?: string): Impact {
  // Inside someone's home directory, judge as inside ours: /home/dev/project is ~/project.
  const normalized = normalizePath(path, cwd).replace(/^\/(?:home|Users)\/[^/]+\/(?=.)/, "~/");
  const { base, glob } = stripGlob(normalized);
  if (base === "/" || base === "~") return "critical";
  if (/^~[A-Za-z0-9_.-]+$/.test(base)) return "critical";
  if (GLOB.test(normalized) && globImpact(normalized) === "critical") return "critical";
  if (base.startsWith("~/")) {
    const rest = base.slice(2).split("/");
    return rest.length === 1 && HOME_CRITICAL.has(rest[0]!) ? "critical" : "none";
  }
  if (base.startsWith("/")) {
    if (TEMP.test(base)) return "none";
    const segments = base.slice(1).split("/");
    if (segments.length === 1 && SYSTEM_TOP.has(segments[0]!)) return "critical";
    const parent = `/${segments.slice(0, -1).join("/")}`;
    if (CRITICAL_PARENTS.has(parent) && (segments.length <= 3 || glob)) return "critical";
    return SYSTEM_TOP.has(segments[0]!) ? "system" : "none";
  }
  // Relative: the whole working directory (`.`, `*`, `..`) when we do not know where that is.
  if (base === "." || base === ".." || base.startsWith("../") || (glob && base === ".")) return cwd === undefined ? "workspace" : "none";
  return "none";
}

const BLOCK_DEVICE =
  /^\/dev\/(?:sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?|disk\d+(?:s\d+)?|rdisk\d+|md\d+|dm-\d+|mapper\/\S+|loop\d+|sr\d+|nbd\d+|zd\d+|root)$/;

/** A block device (`/dev/sda`, `/dev/nvme0n1p2`, `/dev/mapper/root`); `/dev/null` and friends are not. */
export function isBlockDevice(path: string): boolean {
  if (!path.includes("/dev/")) return false;
  return BLOCK_DEVICE.test(normalizePath(path));
}

/** A local address: sending data there is not exfiltration. */
export function isLocalHost(host: string): boolean {
  return /^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal)$/i.test(host);
}

const FILE_EXTENSION =
  /\.(?:key|pem|crt|csr|pub|txt|md|json|ya?ml|toml|ini|cfg|conf|log|csv|tsv|xml|html?|js|ts|py|rb|sh|go|rs|c|h|cpp|java|tar|gz|tgz|zip|bz2|xz|zst|7z|rar|deb|rpm|iso|img|bin|so|dll|exe|png|jpe?g|gif|svg|pdf|docx?|xlsx?|db|sqlite|bak|tmp|lock|env|rc|d|service|timer|socket)$/i;

/** Host of a URL-ish argument (`https://x.example/a`, `x.example:8080/a`, `user@host:path`). */
export function hostOf(value: string): string | undefined {
  // Userinfo ends at the first `@` before any `/?#` (`http://evil?@localhost` goes to `evil`).
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^/:?#@]+)/i.exec(value);
  if (url) return url[1]!.toLowerCase();
  const scp = /^(?:[^@\s/]+@)?([a-z0-9.-]+|\[[^\]]+\]):/i.exec(value);
  if (scp && !value.includes("://")) return scp[1]!.toLowerCase();
  const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:\/|$)/i.exec(value);
  // `server.key`, `notes.txt`: a file name is not a host.
  if (!bare || FILE_EXTENSION.test(bare[1]!)) return undefined;
  return bare[1]!.toLowerCase();
}
