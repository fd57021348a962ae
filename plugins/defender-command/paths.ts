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

/**
 * The impact of recursively deleting `path`:
 * `critical` for `/`, top-level system directories and their direct children, a home directory
 * and its key folders; `system` for deeper absolute paths outside temp folders and for the whole
 * working directory when it is unknown; `none` otherwise.
 */
export function deleteImpact(path: string, cwd?: string): Impact {
  // Inside someone's home directory, judge as inside ours: /home/dev/project is ~/project.
  const normalized = normalizePath(path, cwd).replace(/^\/(?:home|Users)\/[^/]+\/(?=.)/, "~/");
  const { base, glob } = stripGlob(normalized);
  if (base === "/" || base === "~") return "critical";
  if (/^~[A-Za-z0-9_.-]+$/.test(base)) return "critical";
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
  return BLOCK_DEVICE.test(normalizePath(path));
}

const CREDENTIAL_FILES: readonly RegExp[] = [
  /(?:^|\/)\.ssh\/(?:id_[\w-]+|identity)$/,
  /(?:^|\/)\.aws\/credentials$/,
  /(?:^|\/)\.config\/gcloud(?:\/|$)/,
  /(?:^|\/)\.kube\/config$/,
  /(?:^|\/)\.docker\/config\.json$/,
  /(?:^|\/)\.(?:netrc|npmrc|pypirc|git-credentials|pgpass|my\.cnf|vault-token)$/,
  /(?:^|\/)\.gnupg(?:\/|$)/,
  /(?:^|\/)\.config\/gh\/hosts\.yml$/,
  /(?:^|\/)\.azure\/(?:accessTokens|msal_token_cache)/,
  /(?:^|\/)\.terraform\.d\/credentials/,
  /(?:^|\/)credentials\.db$/,
  /^\/etc\/(?:shadow|gshadow|sudoers)(?:-|$)/,
  /(?:^|\/)\.env(?:\.(?!example$|sample$|template$|dist$|defaults$|schema$)[\w-]+)?$/,
  /(?:^|\/)\.(?:bash|zsh|sh|python|mysql|psql|node_repl)_history$/,
  /(?:^|\/)[^/]*\.(?:pem|key|p12|pfx|jks|keystore)$/,
];
const CREDENTIAL_DIRS = /(?:^|\/)\.(?:ssh|aws|gnupg|kube|docker|azure)$|(?:^|\/)\.config\/gcloud$/;

/** A file that holds secrets (private keys, cloud credentials, tokens, password hashes, `.env`). */
export function isCredentialPath(path: string, cwd?: string): boolean {
  const normalized = normalizePath(path.replace(/^@/, ""), cwd);
  if (normalized.endsWith(".pub") || /\/\.ssh\/(?:known_hosts|config|authorized_keys)$/.test(normalized)) return false;
  return CREDENTIAL_FILES.some((pattern) => pattern.test(normalized));
}

/** A folder of secrets (`~/.ssh`, `~/.aws`, `~/.gnupg`): archiving or copying it leaks them. */
export function isCredentialDir(path: string, cwd?: string): boolean {
  return CREDENTIAL_DIRS.test(normalizePath(path, cwd));
}

/** System files whose overwrite or deletion hands over or breaks the machine. */
const PROTECTED_FILES =
  /^\/etc\/(?:passwd|shadow|group|gshadow|sudoers|sudoers\.d\/.*|pam\.d\/.*|ld\.so\.preload|ssh\/sshd_config|crontab|cron\.d\/.*|profile|profile\.d\/.*|bashrc|hosts|resolv\.conf|fstab)$|^\/boot\/|^(?:~|\/root|\/home\/[^/]+)\/\.ssh\/authorized_keys2?$/;

/** Writing to this path tampers with the system (accounts, sudo, PAM, boot, SSH access). */
export function isProtectedFile(path: string, cwd?: string): boolean {
  return PROTECTED_FILES.test(normalizePath(path, cwd));
}

/** Shell start-up files: appending to them runs code at every login. */
export function isShellStartupFile(path: string, cwd?: string): boolean {
  return /^(?:~|\/root|\/home\/[^/]+)\/\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zlogin|kshrc)$|^\/etc\/(?:profile|bashrc|zshrc|profile\.d\/.*)$/.test(
    normalizePath(path, cwd),
  );
}

/** A local address: sending data there is not exfiltration. */
export function isLocalHost(host: string): boolean {
  return /^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal)$/i.test(host);
}

/** Host of a URL-ish argument (`https://x.example/a`, `x.example:8080/a`, `user@host:path`). */
export function hostOf(value: string): string | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(value);
  if (url) return url[1]!.toLowerCase();
  const scp = /^(?:[^@\s/]+@)?([a-z0-9.-]+|\[[^\]]+\]):/i.exec(value);
  if (scp && !value.includes("://")) return scp[1]!.toLowerCase();
  const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:\/|$)/i.exec(value);
  return bare ? bare[1]!.toLowerCase() : undefined;
}
